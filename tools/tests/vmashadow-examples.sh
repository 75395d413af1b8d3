#!/bin/sh
# vmashadow-examples.sh - run every example script against the loaded module,
# one kselftest-style TAP test per script, ending in a "# Totals:" line.
# In the VM the rig copies the tool to /bin and examples/ to /examples.
dir=${VMS_EXAMPLES:-/examples}
exec vmashadow run --tap "$dir"/*.vms
