package org.unionfsjava.model;

/**
 * One name of a merged directory listing: the kind and inode the topmost branch that has the name
 * reported (kind may be UNKNOWN, inode 0 if the branch did not say), and that branch.
 */
public record MergedEntry(String name, FileKind kind, long ino, Branch branch) {}
