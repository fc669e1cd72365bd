package org.unionfsjava.fs;

import org.unionfsjava.fs.fuse3.LibFuse3;
import org.unionfsjava.fs.nativeio.NativeFile;

/**
 * The native libraries a mount binds: libc, and libfuse 3 unless libfuse2 is selected (jnr-fuse
 * binds that one itself). jnr-ffi writes each binding's classes at run time, which took about a
 * tenth of a second of a mount's start here; binding them early, on a thread of their own while
 * the command line is parsed, takes that off the path to the mount (the CLI's
 * {@code StartupOverlap}). Binding twice costs nothing: each library is bound once per JVM.
 */
public final class NativeBindings {

  private NativeBindings() {
  }

  /** Binds the libraries a mount on this libfuse will use, if not bound yet. */
  public static void bind(FuseLibrary library) {
    NativeFile.bindLibrary();
    if (library == FuseLibrary.LIBFUSE3) {
      LibFuse3.load();
    }
  }

  /**
   * Binds the libraries and loads the classes of the FUSE binding that a mount on this libfuse
   * loads before libfuse's loop starts (libfuse 3's session, or jnr-fuse's filesystem base,
   * which binds libfuse2), for the CLI's start-up training (its AppCDS archive), which so needs
   * no binding of its own.
   *
   * @throws LinkageError or a RuntimeException if a library is not there
   */
  public static void loadForMount(FuseLibrary library) throws ClassNotFoundException {
    bind(library);
    if (library == FuseLibrary.LIBFUSE3) {
      Class.forName("org.unionfsjava.fs.fuse3.LowLevelSession", true,
          NativeBindings.class.getClassLoader());
    } else {
      new ru.serce.jnrfuse.FuseStubFS() { };
    }
  }
}
