// The console's one way to write markup: htm's tagged templates over Preact's h(), with no build
// step and no eval (the Content-Security-Policy allows neither inline nor evaluated script).
import { h, render } from './vendor-preact.js';
import htm from './vendor-htm.js';

export { render };
export { useCallback, useEffect, useRef, useState } from './vendor-preact-hooks.js';
export const html = htm.bind(h);
