package org.unionfsjava.model;

/**
 * One name in one branch directory as readdir(3) gives it: the kind may be {@link
 * FileKind#UNKNOWN} (NFS with nordirplus answers DT_UNKNOWN), the inode may be 0 when unknown.
 */
public record DirEntry(String name, FileKind kind, long ino) {}
