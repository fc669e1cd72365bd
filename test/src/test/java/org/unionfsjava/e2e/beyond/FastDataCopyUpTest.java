package org.unionfsjava.e2e.beyond;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.unionfsjava.e2e.support.Fixture.stat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.unionfsjava.e2e.support.BeyondFacts;
import org.unionfsjava.e2e.support.BeyondLoopXfs;
import org.unionfsjava.e2e.support.BranchChecksum;
import org.unionfsjava.e2e.support.Fixture;
import org.unionfsjava.e2e.support.Processes;
import org.unionfsjava.e2e.support.SystemSelection;
import org.unionfsjava.e2e.support.RelUnion;
import org.unionfsjava.e2e.support.UnionSystem;

/**
 * Issue 3.5: fast data copy-up. With lower and upper on one reflink-capable XFS (a loop image,
 * {@code mkfs.xfs -m reflink=1}), appending one byte to a 256 MiB lower file makes an upper copy
 * that shares the lower's extents ({@code xfs_io fiemap} shows the shared flag, free space barely
 * drops) with the right content. On a plain ext4 upper a sparse lower file (1 GiB holding 4 KiB of
 * data) stays sparse when copied up.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
@DisplayName("beyond overlayfs: reflink and sparse-aware data copy-up")
class FastDataCopyUpTest {
  static final long MIB = 1L << 20;
  static final int BLOCKS = 256;
  static final byte[] ONE_MIB = Fixture.bytes((int) MIB, 9);

  /** 1 MiB block i of the big file: ONE_MIB with i in its first 4 bytes. */
  static byte[] block(int i) {
    byte[] b = ONE_MIB.clone();
    b[0] = (byte) (i >>> 24);
    b[1] = (byte) (i >>> 16);
    b[2] = (byte) (i >>> 8);
    b[3] = (byte) i;
    return b;
  }

  static long free(Path p) throws IOException {
    Processes.run(Duration.ofSeconds(60), "sync", "-f", p.toString()).requireSuccess("sync");
    return Files.getFileStore(p).getUsableSpace();
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(names = {"JAVA_OVERLAY", "JAVA_AUFS"})
  @DisplayName("on reflink XFS a 1-byte append to a 256 MiB lower file shares its extents")
  void reflinkCopyUpSharesExtents(UnionSystem system, @TempDir Path tmp) throws IOException {
    SystemSelection.assumeSelected(system);
    try (BeyondLoopXfs xfs = BeyondLoopXfs.create(tmp, 1200 * MIB)) {
      RelUnion u = RelUnion.create(xfs.mnt().resolve("u"), 1, system).javaOpts(BeyondFacts.FAST_START);
      Path lowerFile = u.lower(1).resolve("big");
      try (OutputStream out = Files.newOutputStream(lowerFile)) {
        for (int i = 0; i < BLOCKS; i++) {
          out.write(block(i));
        }
      }
      Map<String, String> lowerBefore = BeyondFacts.statPrint(u.lower(1));
      try {
        u.mount();
        long before = free(xfs.mnt());
        long took = BeyondFacts.time(() -> Files.write(u.at("big"), new byte[] {'!'}, StandardOpenOption.APPEND));
        long after = free(xfs.mnt());
        Path up = u.upper().resolve("big");
        String fiemap = Processes.run(Duration.ofSeconds(60), "xfs_io", "-r", "-c", "fiemap -v", up.toString())
            .requireSuccess("xfs_io fiemap").stdout();
        System.out.println("[beyond] " + system + " 1-byte append to a 256 MiB lower file on reflink XFS: "
            + BeyondFacts.ms(took) + ", free space dropped by " + (before - after) / 1024 + " KiB");
        boolean shared = fiemap.lines().map(String::trim).filter(x -> x.matches("\\d+:.*"))
            .map(x -> x.split("\\s+")).map(f -> f[f.length - 1])
            .anyMatch(flags -> (Long.decode(flags) & 0x2000) != 0);
        assertAll("the upper copy of big",
            () -> assertTrue(shared, "no extent of the upper copy has FIEMAP_EXTENT_SHARED (0x2000):\n" + fiemap),
            () -> assertTrue(before - after < 32 * MIB, "free space dropped by " + (before - after) / MIB
                + " MiB: the data was copied, not reflinked"),
            () -> assertEquals(BLOCKS * MIB + 1, stat(u.at("big")).size()),
            () -> assertArrayEquals(block(0), BeyondFacts.readAt(u.at("big"), 0, (int) MIB)),
            () -> assertArrayEquals(block(137), BeyondFacts.readAt(u.at("big"), 137 * MIB, (int) MIB)),
            () -> assertArrayEquals(block(255), BeyondFacts.readAt(u.at("big"), 255 * MIB, (int) MIB)),
            () -> assertArrayEquals(new byte[] {'!'}, BeyondFacts.readAt(u.at("big"), BLOCKS * MIB, 1)));
      } finally {
        u.close();
      }
      assertEquals(java.util.List.of(), BranchChecksum.diff(lowerBefore, BeyondFacts.statPrint(u.lower(1))),
          "DESIGN §2: the lower changed");
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(names = {"JAVA_OVERLAY", "JAVA_AUFS"})
  @DisplayName("on ext4 a 1 GiB sparse lower file with 4 KiB of data stays sparse when copied up")
  void sparseFileStaysSparse(UnionSystem system, @TempDir Path tmp) throws IOException {
    SystemSelection.assumeSelected(system);
    RelUnion u = RelUnion.create(tmp, 1, system).javaOpts(BeyondFacts.FAST_START);
    byte[] data = Fixture.bytes(4096, 3);
    BeyondFacts.sparseFile(u.lower(1).resolve("sparse"), 1L << 30, data, 512 * MIB);
    Map<String, String> lowerBefore = BeyondFacts.statPrint(u.lower(1));
    try {
      u.mount();
      Files.write(u.at("sparse"), new byte[] {'!'}, StandardOpenOption.APPEND);
      Path up = u.upper().resolve("sparse");
      assertAll("the upper copy of sparse",
          () -> assertTrue(BeyondFacts.blocks(up) < 256, "st_blocks " + BeyondFacts.blocks(up)
              + " (of 512 bytes) for 4 KiB of data and one byte"),
          () -> assertEquals((1L << 30) + 1, stat(u.at("sparse")).size()),
          () -> assertArrayEquals(data, BeyondFacts.readAt(u.at("sparse"), 512 * MIB, 4096)),
          () -> assertArrayEquals(data, BeyondFacts.readAt(up, 512 * MIB, 4096)),
          () -> assertArrayEquals(new byte[4096], BeyondFacts.readAt(u.at("sparse"), 700 * MIB, 4096)),
          () -> assertArrayEquals(new byte[] {'!'}, BeyondFacts.readAt(u.at("sparse"), 1L << 30, 1)));
    } finally {
      u.close();
    }
    assertEquals(java.util.List.of(), BranchChecksum.diff(lowerBefore, BeyondFacts.statPrint(u.lower(1))),
        "DESIGN §2: the lower changed");
  }
}
