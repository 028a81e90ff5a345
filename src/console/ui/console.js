// Placeholder until the console's pages exist: shows whether the API answers.
const health = document.getElementById('health');
fetch('/api/health')
  .then((response) => response.json())
  .then((body) => { health.textContent = body.status; })
  .catch(() => { health.textContent = 'not answering'; });
