package org.unionfsjava.transport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** A {@link MirrorFilesystem} of {@code source} mounted on {@code mountpoint} and served; close unmounts. */
final class MountedMirror implements AutoCloseable {
  final Path source;
  final Path mountpoint;
  final MirrorFilesystem fs;
  final FuseMount mount;
  final Session session;
  final Connection connection;

  private MountedMirror(Path source, Path mountpoint, MirrorFilesystem fs, FuseMount mount, Session session,
      Connection connection) {
    this.source = source;
    this.mountpoint = mountpoint;
    this.fs = fs;
    this.mount = mount;
    this.session = session;
    this.connection = connection;
  }

  static MountedMirror mount(Path dir, SessionOptions options, MountOptions mountOptions) throws Exception {
    Path source = Files.createDirectories(dir.resolve("source"));
    Path mountpoint = Files.createDirectories(dir.resolve("mnt"));
    MirrorFilesystem fs = new MirrorFilesystem(source, options.passthrough());
    FuseMount m = FuseMount.mount(mountpoint, mountOptions);
    Session s = null;
    try {
      s = new Session(m.deviceFd(), fs, options).start();
      Connection c = s.awaitInit(20, TimeUnit.SECONDS);
      return new MountedMirror(source, mountpoint, fs, m, s, c);
    } catch (Exception | Error e) {
      if (s != null) {
        m.closeWith(s, 10, TimeUnit.SECONDS);
      } else {
        m.close();
      }
      throw e;
    }
  }

  static MountedMirror mount(Path dir, SessionOptions options) throws Exception {
    return mount(dir, options, MountOptions.of("mirror", "fuse-transport-test"));
  }

  @Override
  public void close() throws IOException {
    try {
      mount.closeWith(session, 10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while unmounting " + mountpoint, e);
    }
  }
}
