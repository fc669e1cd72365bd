package org.unionfsjava.transport;

import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.UserDefinedFileAttributeView;

/**
 * Records the request stream of a small workload on a real mount (root), for {@code
 * ReplayTest}: {@code java -cp ... org.unionfsjava.transport.StreamRecorder OUT}. The committed
 * src/test/resources/recorded/workload.fuse was made with it on Linux 6.18.
 */
final class StreamRecorder {
  private StreamRecorder() {}

  public static void main(String[] args) throws Exception {
    Path out = Path.of(args[0]);
    Path dir = Files.createTempDirectory("fuse-record");
    try (FileChannel record = FileChannel.open(out, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      Path source = Files.createDirectories(dir.resolve("source"));
      Path mnt = Files.createDirectories(dir.resolve("mnt"));
      MirrorFilesystem fs = new MirrorFilesystem(source, false);
      try (FuseMount m = FuseMount.mount(mnt, MountOptions.of("mirror", "fuse-transport-test"))) {
        Session s = new Session(m.deviceFd(), fs, SessionOptions.defaults().withWorkers(1));
        s.record(record);
        s.start().awaitInit(20, java.util.concurrent.TimeUnit.SECONDS);
        try {
          Files.createDirectory(mnt.resolve("d"));
          Files.writeString(mnt.resolve("d/f"), "recorded bytes");
          Files.readString(mnt.resolve("d/f"));
          Files.getFileAttributeView(mnt.resolve("d/f"), UserDefinedFileAttributeView.class)
              .write("k", StandardCharsets.UTF_8.encode("v"));
          Files.move(mnt.resolve("d/f"), mnt.resolve("d/g"));
          Files.createSymbolicLink(mnt.resolve("d/l"), Path.of("g"));
          Files.readSymbolicLink(mnt.resolve("d/l"));
          try (var list = Files.list(mnt.resolve("d"))) {
            list.count();
          }
          Files.delete(mnt.resolve("d/l"));
          Files.delete(mnt.resolve("d/g"));
          Files.delete(mnt.resolve("d"));
          Files.getFileStore(mnt).getTotalSpace();
        } finally {
          m.closeWith(s, 10, java.util.concurrent.TimeUnit.SECONDS);
        }
      }
    }
  }
}
