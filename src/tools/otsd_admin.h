// `otsd admin ...`: the command line of otsd's admin operations (server/admin_handlers.h),
// sent over HTTP to a running otsd and signed with an admin key.
#pragma once

namespace otsync::tools {

// `argv[0]` is "admin". Exit status: 0 done (the reply's JSON on stdout), 1 failed, 2 bad flags.
int RunAdminCommand(int argc, char** argv);

}  // namespace otsync::tools
