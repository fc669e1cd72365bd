package org.unionfsjava.fs.fuse3;

import jnr.ffi.LibraryLoader;

/**
 * The one binding of libfuse 3 in this JVM ({@link LibFuse3#load}), made when first asked for:
 * class initialisation runs once and is thread-safe, so the CLI may bind it early on a thread of
 * its own while another thread asks for it too.
 */
final class BoundLibFuse3 {
  static final LibFuse3 LIBRARY = LibraryLoader.create(LibFuse3.class).failImmediately().load("fuse3");

  private BoundLibFuse3() {
  }
}
