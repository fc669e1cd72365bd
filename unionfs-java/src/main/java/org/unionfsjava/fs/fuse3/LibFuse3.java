package org.unionfsjava.fs.fuse3;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Pointer;
import jnr.ffi.types.size_t;

/**
 * The few functions of libfuse 3 (libfuse3.so.3) the union calls. Symbols resolve to their
 * default versions ({@code fuse_main_real@@FUSE_3.0}, {@code fuse_invalidate_path@@FUSE_3.1}).
 */
public interface LibFuse3 {

  /**
   * Parses argv, mounts, runs the (multi-threaded unless {@code -s}) loop until unmounted.
   *
   * @param ops a {@code struct fuse_operations} of {@code opSize} bytes
   */
  int fuse_main_real(int argc, Pointer argv, Pointer ops, @size_t long opSize, Pointer userData);

  /** The calling request's {@code struct fuse_context}: valid inside a callback only. */
  Pointer fuse_get_context();

  /** Drops a path's dentry and attributes from the kernel's caches (FUSE notify). */
  int fuse_invalidate_path(Pointer fuse, Pointer path);

  /** The session of a high-level {@code struct fuse}. */
  Pointer fuse_get_session(Pointer fuse);

  /** FUSE_VERSION of the loaded library, e.g. 314. */
  int fuse_version();

  /** Loads libfuse3.so.3 (the runtime package {@code libfuse3-3}, no -dev package needed). */
  static LibFuse3 load() {
    return LibraryLoader.create(LibFuse3.class).failImmediately().load("fuse3");
  }
}
