package org.unionfsjava.e2e.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.unionfsjava.e2e.support.RelUnion;
import org.unionfsjava.e2e.support.UnionSystem;

/**
 * Reads answered by libfuse splicing from the branch file's descriptor (fuse_reply_data; the
 * default where no branch is on NFS) return the same bytes as reads answered from the union's
 * own buffer ({@code -Dunionfs.fuse3.splice=false}): whole files, reads at odd offsets and
 * lengths, small reads (which libfuse answers from memory), a read across and past the end, a
 * sparse file, a copied-up file, and two files read at once (reader threads and the loop). The
 * daemon's init line says which way it answers, so the check that splicing is on can fail.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@DisplayName("spliced read replies return the same bytes as buffered ones")
class SplicedReadsTest {
  private static final int SIZE = 3 * 1024 * 1024 + 123;

  @TempDir Path tmp;

  @ParameterizedTest(name = "{0}: spliced reads {1}")
  @CsvSource({"default, true", "-Dunionfs.fuse3.splice=false, false"})
  void reads_sameBytesEitherWay(String javaOpts, boolean spliced) throws Exception {
    try (RelUnion u = RelUnion.create(tmp.resolve("u"), 1, UnionSystem.JAVA_OVERLAY)) {
      Random random = new Random(11);
      byte[] data = new byte[SIZE];
      random.nextBytes(data);
      byte[] other = new byte[SIZE / 2];
      random.nextBytes(other);
      Files.write(u.lower(1).resolve("data.bin"), data);
      Files.write(u.lower(1).resolve("other.bin"), other);
      Files.write(u.lower(1).resolve("copied.bin"), other);
      Path sparse = u.lower(1).resolve("sparse.bin");
      try (FileChannel ch = FileChannel.open(sparse, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        ch.write(ByteBuffer.wrap(Arrays.copyOf(data, 5000)), 2 * 1024 * 1024);
      }
      if (!javaOpts.equals("default")) {
        u.javaOpts(javaOpts);
      }
      u.withArgs("-v").mount();

      assertArrayEquals(data, Files.readAllBytes(u.at("data.bin")), "the whole file");
      try (FileChannel ch = FileChannel.open(u.at("data.bin"), StandardOpenOption.READ)) {
        long[][] reads = {{0, 100}, {4095, 8193}, {1024 * 1024 - 1, 128 * 1024 + 1},
            {SIZE - 10, 4096}, {7, 1024 * 1024}};
        for (long[] r : reads) {
          int want = (int) Math.min(r[1], SIZE - r[0]);
          assertArrayEquals(Arrays.copyOfRange(data, (int) r[0], (int) r[0] + want), pread(ch, r[0], (int) r[1]),
              "offset " + r[0] + ", length " + r[1]);
        }
        assertEquals(-1, ch.read(ByteBuffer.allocate(4096), SIZE + 5), "past the end");
      }
      byte[] sparseBytes = Files.readAllBytes(u.at("sparse.bin"));
      assertEquals(2 * 1024 * 1024 + 5000, sparseBytes.length);
      assertTrue(allZero(Arrays.copyOf(sparseBytes, 2 * 1024 * 1024)), "the hole reads as zeros");
      assertArrayEquals(Arrays.copyOf(data, 5000), Arrays.copyOfRange(sparseBytes, 2 * 1024 * 1024, sparseBytes.length));

      try (OutputStream out = Files.newOutputStream(u.at("copied.bin"), StandardOpenOption.APPEND)) {
        out.write(new byte[] {1, 2, 3});
      }
      byte[] copied = Files.readAllBytes(u.at("copied.bin"));
      assertArrayEquals(other, Arrays.copyOf(copied, other.length), "the copied-up file");
      assertArrayEquals(new byte[] {1, 2, 3}, Arrays.copyOfRange(copied, other.length, copied.length));

      ExecutorService pool = Executors.newFixedThreadPool(2);
      try {
        Future<byte[]> a = pool.submit(() -> Files.readAllBytes(u.at("data.bin")));
        Future<byte[]> b = pool.submit(() -> Files.readAllBytes(u.at("other.bin")));
        assertArrayEquals(data, a.get(60, TimeUnit.SECONDS), "data.bin read beside other.bin");
        assertArrayEquals(other, b.get(60, TimeUnit.SECONDS), "other.bin read beside data.bin");
      } finally {
        pool.shutdownNow();
      }
      assertTrue(u.daemonOutput().contains("spliced reads " + spliced), u.daemonOutput());
      assertArrayEquals(data, Files.readAllBytes(u.lower(1).resolve("data.bin")), "the lower is untouched");
    }
  }

  private static byte[] pread(FileChannel ch, long offset, int length) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(length);
    while (buf.hasRemaining()) {
      int n = ch.read(buf, offset + buf.position());
      if (n < 0) {
        break;
      }
    }
    return Arrays.copyOf(buf.array(), buf.position());
  }

  private static boolean allZero(byte[] b) {
    for (byte x : b) {
      if (x != 0) {
        return false;
      }
    }
    return true;
  }
}
