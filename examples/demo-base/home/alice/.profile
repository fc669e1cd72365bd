# Alice's shell profile, from the base.
export EDITOR=vi
