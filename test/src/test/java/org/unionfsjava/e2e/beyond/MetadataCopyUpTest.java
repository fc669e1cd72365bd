package org.unionfsjava.e2e.beyond;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.unionfsjava.e2e.support.Fixture.stat;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.unionfsjava.e2e.support.BeyondFacts;
import org.unionfsjava.e2e.support.BranchChecksum;
import org.unionfsjava.e2e.support.Fixture;
import org.unionfsjava.e2e.support.PosixExtras;
import org.unionfsjava.e2e.support.Syscalls;
import org.unionfsjava.e2e.support.SystemSelection;
import org.unionfsjava.e2e.support.RelUnion;
import org.unionfsjava.e2e.support.TestUnion;
import org.unionfsjava.e2e.support.UnionSystem;

/**
 * Issue 3.4: metadata-only copy-up. chmod, chown, utimens and setxattr of a 1 GiB lower file
 * (sparse, with 64 KiB of real data at four offsets) each copy no data: the upper copy has no data
 * blocks, the metacopy mark is set, reads through the union still return the lower's bytes; on
 * 64 MiB files of real data the time of a chmod does not grow with the size (ratio against 4 KiB
 * files). The copy survives a remount; kernel overlayfs with metacopy=on reads the same content
 * and mode from the same upper (overlay format). The first open for writing copies the data: the
 * content is right, the upper file holds it, the mark is gone.
 *
 * <p>The lowers are checked with {@link BeyondFacts#statPrint} (ctime, size, blocks, ...) rather
 * than {@link BranchChecksum}, which would hash 4 GiB of holes.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
@DisplayName("beyond overlayfs: metadata-only copy-up of large files")
class MetadataCopyUpTest {
  static final long GIB = 1L << 30;
  static final long MIB = 1L << 20;
  static final long[] OFFSETS = {0, 100 * MIB, 512 * MIB, GIB - 64 * 1024};
  static final byte[] DATA = Fixture.bytes(64 * 1024, 42);
  static final List<String> OPS = List.of("chmod", "chown", "utimens", "setxattr");
  static final long NEW_MTIME_NS = Instant.parse("2020-01-02T03:04:05.123456789Z").getEpochSecond() * 1_000_000_000L + 123_456_789L;
  /** st_blocks an upper copy with no data may have: ext4 counts an external xattr block. */
  static final long NO_DATA_BLOCKS = 16;

  static String metacopyXattr(UnionSystem s) {
    return s == UnionSystem.JAVA_OVERLAY ? "trusted.overlay.metacopy" : "user.unionfs.metacopy";
  }

  static void apply(String op, Path p) {
    switch (op) {
      case "chmod" -> Syscalls.chmod(p, 0600).requireOk();
      case "chown" -> Syscalls.lchown(p, 1234, 1235).requireOk();
      case "utimens" -> PosixExtras.utimens(p, NEW_MTIME_NS, NEW_MTIME_NS, false).requireOk();
      case "setxattr" -> Syscalls.setxattr(p, "user.beyond", "set").requireOk();
      default -> throw new IllegalArgumentException(op);
    }
  }

  static void checkApplied(String op, Path p) {
    Fixture.Stat st = stat(p);
    switch (op) {
      case "chmod" -> assertEquals(0600, st.perm(), op + ": mode of " + p);
      case "chown" -> assertEquals(1234 + ":" + 1235, st.uid() + ":" + st.gid(), op + ": owner of " + p);
      case "utimens" -> assertEquals(Instant.ofEpochSecond(0, NEW_MTIME_NS), st.mtime().toInstant(), op + ": mtime of " + p);
      case "setxattr" -> assertEquals("set", Syscalls.xattrValue(p, "user.beyond"), op + ": xattr of " + p);
      default -> throw new IllegalArgumentException(op);
    }
  }

  static List<Executable> readsLowerData(Path p, String where) {
    List<Executable> checks = new ArrayList<>();
    checks.add(() -> assertEquals(GIB, stat(p).size(), where + ": size of " + p));
    for (long off : OFFSETS) {
      checks.add(() -> assertArrayEquals(DATA, BeyondFacts.readAt(p, off, DATA.length), where + ": bytes at " + off + " of " + p));
    }
    checks.add(() -> assertArrayEquals(new byte[4096], BeyondFacts.readAt(p, 300 * MIB, 4096), where + ": a hole of " + p));
    return checks;
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(names = {"JAVA_OVERLAY", "JAVA_AUFS"})
  void metadataChangesCopyNoData(UnionSystem system, @TempDir Path tmp) throws Exception {
    SystemSelection.assumeSelected(system);
    RelUnion u = RelUnion.create(tmp, 1, system).javaOpts(BeyondFacts.FAST_START);
    Path l = u.lower(1);
    for (String op : OPS) {
      BeyondFacts.sparseFile(l.resolve("big-" + op), GIB, DATA, OFFSETS);
    }
    byte[] real = Fixture.bytes((int) (64 * MIB), 5);
    for (int i = 0; i < 3; i++) {
      Fixture.file(l.resolve("real" + i), real);
      Fixture.file(l.resolve("small" + i), Fixture.bytes(4096, i));
    }
    // the fixtures were just written: let delayed allocation finish first, or st_blocks may grow
    // by an extent block later without any write (seen in CI: 131072 -> 131080, times unchanged)
    org.unionfsjava.e2e.support.Processes.run(java.time.Duration.ofSeconds(120), "sync", "-f", l.toString())
        .requireSuccess("sync -f");
    Map<String, String> lowerBefore = BeyondFacts.statPrint(l);
    try {
      u.mount();
      for (String op : OPS) {
        apply(op, u.at("big-" + op));
      }
      long bigNs = Long.MAX_VALUE;
      long smallNs = Long.MAX_VALUE;
      for (int i = 0; i < 3; i++) {
        Path s = u.at("small" + i);
        Path r = u.at("real" + i);
        smallNs = Math.min(smallNs, BeyondFacts.time(() -> Syscalls.chmod(s, 0640).requireOk()));
        bigNs = Math.min(bigNs, BeyondFacts.time(() -> Syscalls.chmod(r, 0640).requireOk()));
      }
      System.out.println("[beyond] " + system + " chmod of a lower file: 4 KiB " + BeyondFacts.ms(smallNs)
          + ", 64 MiB " + BeyondFacts.ms(bigNs));
      long big = bigNs;
      long small = smallNs;
      double ratio = (double) big / Math.max(small, 2_000_000L);
      String xattr = metacopyXattr(system);
      List<Executable> checks = new ArrayList<>();
      checks.add(() -> assertTrue(ratio < 5, "chmod of a 64 MiB lower file took " + BeyondFacts.ms(big)
          + ", of a 4 KiB one " + BeyondFacts.ms(small) + " (ratio " + ratio + ", want < 5)"));
      for (String op : OPS) {
        Path up = u.upper().resolve("big-" + op);
        checks.add(() -> checkApplied(op, u.at("big-" + op)));
        checks.add(() -> assertTrue(BeyondFacts.blocks(up) <= NO_DATA_BLOCKS,
            op + ": the upper copy has " + BeyondFacts.blocks(up) + " blocks of 512 bytes"));
        checks.add(() -> assertNotNull(PosixExtras.xattr(up, xattr), op + ": " + xattr + " on the upper copy"));
        checks.addAll(readsLowerData(u.at("big-" + op), op + " through the union"));
      }
      for (int i = 0; i < 3; i++) {
        Path up = u.upper().resolve("real" + i);
        checks.add(() -> assertTrue(BeyondFacts.blocks(up) <= NO_DATA_BLOCKS, "chmod of a 64 MiB file: the upper copy has "
            + BeyondFacts.blocks(up) + " blocks"));
      }
      assertAll("after chmod, chown, utimens, setxattr of lower files", checks.stream());

      u.unmount();
      if (system == UnionSystem.JAVA_OVERLAY) {
        try (TestUnion kernel = BeyondFacts.kernelOver(u)) {
          List<Executable> k = new ArrayList<>();
          for (String op : OPS) {
            k.add(() -> checkApplied(op, kernel.at("big-" + op)));
            k.addAll(readsLowerData(kernel.at("big-" + op), op + " read by kernel overlayfs"));
          }
          assertAll("kernel overlayfs (metacopy=on) over the same upper", k.stream());
        }
      }
      u.mount();
      List<Executable> again = new ArrayList<>();
      for (String op : OPS) {
        again.add(() -> checkApplied(op, u.at("big-" + op)));
        again.addAll(readsLowerData(u.at("big-" + op), op + " after a remount"));
      }
      assertAll("after unmount and mount", again.stream());

      // the first open for writing copies the data
      Path f = u.at("big-chmod");
      byte[] patch = "patched".getBytes(java.nio.charset.StandardCharsets.UTF_8);
      BeyondFacts.writeAt(f, 100 * MIB + 10, patch);
      byte[] expected = DATA.clone();
      System.arraycopy(patch, 0, expected, 10, patch.length);
      Path up = u.upper().resolve("big-chmod");
      List<Executable> w = new ArrayList<>();
      w.add(() -> assertEquals(GIB, stat(f).size()));
      w.add(() -> assertEquals(0600, stat(f).perm(), "the chmod survives the data copy"));
      w.add(() -> assertArrayEquals(expected, BeyondFacts.readAt(f, 100 * MIB, DATA.length), "the written region"));
      w.add(() -> assertNull(PosixExtras.xattr(up, xattr), xattr + " after the data was copied"));
      for (long off : new long[] {0, 512 * MIB, GIB - 64 * 1024}) {
        w.add(() -> assertArrayEquals(DATA, BeyondFacts.readAt(f, off, DATA.length), "union bytes at " + off));
        w.add(() -> assertArrayEquals(DATA, BeyondFacts.readAt(up, off, DATA.length), "upper file's own bytes at " + off));
      }
      w.add(() -> assertTrue(BeyondFacts.blocks(up) * 512 >= 4 * DATA.length,
          "the upper holds the data now: " + BeyondFacts.blocks(up) + " blocks"));
      assertAll("after the first write", w.stream());
    } finally {
      u.close();
    }
    assertEquals(List.of(), BranchChecksum.diff(lowerBefore, BeyondFacts.statPrint(l)), "DESIGN §2: the lower changed");
  }
}
