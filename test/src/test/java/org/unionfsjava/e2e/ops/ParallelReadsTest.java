package org.unionfsjava.e2e.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.unionfsjava.e2e.support.Mounts;
import org.unionfsjava.e2e.support.RelUnion;
import org.unionfsjava.e2e.support.UnionSystem;

/**
 * Reads of a lower that answers slowly (an NFS server, a busy disk) overlap: the loop hands each
 * READ to one of its reader threads and goes on to the next request, so four processes reading
 * four lower files wait for the lower together, not one after the other. The lower here is a
 * FUSE passthrough (gated_lower.py, python3-fusepy) whose reads wait until four are in flight
 * (or a second has passed) and which records the most it saw in flight at once; the bytes read
 * through the union are checked too. With the reader threads switched off
 * ({@code -Dunionfs.fuse3.readers=0}) the union reads one at a time, which shows the check can
 * fail.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
@DisplayName("parallel reads of a slow lower overlap (reader threads beside the loop)")
class ParallelReadsTest {
  private static final int READERS = 4;
  private static final int FILE_BYTES = 1 << 20;

  @TempDir Path tmp;

  @ParameterizedTest(name = "{0}: at least {1} reads in flight at the lower")
  @CsvSource({"default, 3", "-Dunionfs.fuse3.readers=0, 1"})
  void fourReadersOfASlowLower_readsOverlap(String javaOpts, int atLeast) throws Exception {
    Path source = Files.createDirectories(tmp.resolve("source"));
    Random random = new Random(7);
    List<byte[]> contents = new ArrayList<>();
    for (int i = 0; i < READERS; i++) {
      byte[] data = new byte[FILE_BYTES];
      random.nextBytes(data);
      Files.write(source.resolve("f" + i), data);
      contents.add(data);
    }
    Path script = tmp.resolve("gated_lower.py");
    try (InputStream in = ParallelReadsTest.class.getResourceAsStream("gated_lower.py")) {
      Files.copy(in, script);
    }
    Path stats = tmp.resolve("most-in-flight");
    try (RelUnion u = RelUnion.create(tmp.resolve("u"), 1, UnionSystem.JAVA_OVERLAY)) {
      Path lower = u.lower(1);
      Process gated = new ProcessBuilder("/usr/bin/python3", script.toString(), source.toString(),
          lower.toString(), stats.toString(), String.valueOf(READERS), "1.0")
          .redirectErrorStream(true).redirectOutput(tmp.resolve("gated.log").toFile()).start();
      try {
        assertTrue(Mounts.awaitMounted(lower, "fuse.gated", Duration.ofSeconds(20), gated.toHandle()),
            "the gated lower mounted: " + Files.readString(tmp.resolve("gated.log")));
        if (!javaOpts.equals("default")) {
          u.javaOpts(javaOpts);
        }
        u.mount();

        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(READERS);
        try {
          List<Future<byte[]>> reads = new ArrayList<>();
          for (int i = 0; i < READERS; i++) {
            Path f = u.at("f" + i);
            reads.add(pool.submit(() -> {
              try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
                ByteBuffer buf = ByteBuffer.allocate(4096);
                start.await();
                ch.read(buf, FILE_BYTES / 2);
                return buf.array();
              }
            }));
          }
          start.countDown();
          for (int i = 0; i < READERS; i++) {
            assertArrayEquals(Arrays.copyOfRange(contents.get(i), FILE_BYTES / 2, FILE_BYTES / 2 + 4096),
                reads.get(i).get(60, TimeUnit.SECONDS), "the bytes of f" + i);
          }
        } finally {
          pool.shutdownNow();
        }
        int most = Integer.parseInt(Files.readString(stats).trim());
        System.out.println("ParallelReadsTest " + javaOpts + ": at most " + most + " reads in flight at the lower");
        if (atLeast > 1) {
          assertTrue(most >= atLeast, "reads overlapped at the lower: at most " + most + " in flight");
        } else {
          assertEquals(1, most, "without reader threads the union reads one at a time");
        }
      } finally {
        u.close();
        Mounts.unmountQuietly(lower);
        gated.destroy();
        if (!gated.waitFor(10, TimeUnit.SECONDS)) {
          gated.destroyForcibly();
        }
      }
    }
  }
}
