package org.unionfsjava.fs;

/**
 * The libfuse the union runs on. libfuse 3 is the default: it lets the union negotiate what
 * libfuse2 cannot (kernel-cached POSIX ACLs, readdirplus, cached directory listings in fixed
 * lower mode, and a multi-threaded loop without libfuse2's path-lock deadlock, not yet the
 * default). {@code -Dunionfs.fuse=2}
 * (through {@code UNIONFS_JAVA_OPTS}) falls back to libfuse2 through jnr-fuse, the adapter of
 * earlier releases, one request at a time.
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

  /** The library this JVM mounts with: {@code -Dunionfs.fuse=2} or {@code 3} (the default). */
  public static FuseLibrary selected() {
    String v = System.getProperty("unionfs.fuse", "3").trim();
    // the libfuse 3 binding knows the struct layouts of x86_64 only (fuse3.Fuse3Abi)
    return "2".equals(v) || !"amd64".equals(System.getProperty("os.arch")) ? LIBFUSE2 : LIBFUSE3;
  }
}
