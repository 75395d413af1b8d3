#!/bin/sh
# Placeholder demo, run inside the VM by "make run" with the module loaded.
cat /proc/self/maps
