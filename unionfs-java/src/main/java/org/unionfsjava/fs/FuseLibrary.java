package org.unionfsjava.fs;

/**
 * The libfuse the union runs on. libfuse2 through jnr-fuse ({@link UnionFuse}) is the default.
 * {@code -Dunionfs.fuse=3} (through {@code UNIONFS_JAVA_OPTS}) selects libfuse 3 through the
 * union's own binding ({@code UnionFuse3}), which negotiates what libfuse2 cannot (kernel-cached
 * POSIX ACLs, readdirplus, cached directory listings in fixed lower mode, a multi-threaded loop
 * without libfuse2's path-lock deadlock). It is not the default yet: libfuse 3's high-level layer
 * answers ESTALE, where libfuse2 answered ENOENT, to a request for a node that a concurrent unlink
 * or rename had just detached (a path walk that ran before the change, its request after it).
 * The kernel retries such a call once with a fresh lookup, so a program sees ESTALE only when the
 * retry loses a second race, but the stress test does see it, and a plain directory never answers
 * ESTALE. The fix is libfuse's low-level API with the union's own inode table.
 */
public enum FuseLibrary {
  /** libfuse 3 through the union's own jnr-ffi binding ({@link UnionFuse3}). */
  LIBFUSE3("libfuse3.so.3", "libfuse3-3"),
  /** libfuse 2 through jnr-fuse ({@link UnionFuse}). */
  LIBFUSE2("libfuse.so.2", "libfuse2");

  private final String soname;
  private final String debianPackage;

  FuseLibrary(String soname, String debianPackage) {
    this.soname = soname;
    this.debianPackage = debianPackage;
  }

  /** The shared library's file name, e.g. {@code libfuse3.so.3}. */
  public String soname() {
    return soname;
  }

  /** The Debian package that installs it. */
  public String debianPackage() {
    return debianPackage;
  }

  /** The library this JVM mounts with: {@code -Dunionfs.fuse=3}, or libfuse2 (the default). */
  public static FuseLibrary selected() {
    String v = System.getProperty("unionfs.fuse", "2").trim();
    // the libfuse 3 binding knows the struct layouts of x86_64 only (fuse3.Fuse3Abi)
    return "3".equals(v) && "amd64".equals(System.getProperty("os.arch")) ? LIBFUSE3 : LIBFUSE2;
  }
}
