package org.unionfsjava.fs;

/**
 * The libfuse the union runs on. libfuse 3's low-level API through the union's own binding
 * ({@link UnionLowLevel}, package {@code fuse3}) is the default: the kernel keeps POSIX ACLs and,
 * in fixed lower mode, whole listings; readdirplus saves a LOOKUP per listed name; and the union's
 * own node table answers a request for a node that a concurrent unlink or rename detached with
 * ENOENT (or through a handle still open on it), where libfuse 3's high-level API answered
 * ESTALE. {@code -Dunionfs.fuse=2} (through {@code UNIONFS_JAVA_OPTS}; read by {@link Tuning})
 * selects libfuse2 through jnr-fuse ({@link UnionFuse}), the union's first adapter; so does any
 * architecture but x86_64, for which the binding's structure offsets were not computed.
 */
public enum FuseLibrary {
  /** libfuse 3's low-level API through the union's own jnr-ffi binding ({@link UnionLowLevel}). */
  LIBFUSE3("libfuse3.so.3", "libfuse3-3"),
  /** libfuse 2's high-level API through jnr-fuse ({@link UnionFuse}). */
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
}
