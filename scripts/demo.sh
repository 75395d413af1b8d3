#!/bin/sh
# The demo "make run" shows inside the VM, with the module loaded: the
# tool's version line, then a short script that merges, truncates and
# splits regions of a shadow and explains why two neighbours stay apart.
vmashadow --version
vmashadow -v /examples/demo.vms
