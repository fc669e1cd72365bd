package org.unionfsjava.e2e.interop;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.unionfsjava.e2e.differential.CrossMount;
import org.unionfsjava.e2e.support.LowersUnchanged;
import org.unionfsjava.e2e.support.UnionSystem;

/**
 * Interop with random upper states: a differential run (seeded operations compared with a plain
 * directory after every step) on one system, then the same upper and lowers mounted by the other
 * (unionfs-java {@code --whiteout-format overlay} and kernel overlayfs, both directions) must
 * show the model's tree, mtimes and xattrs. Where {@link KernelOverlayInteropTest} covers a fixed
 * set of changes, this covers whatever state the operations leave (renamed and re-created
 * directories, whiteouts at every depth, copied-up and hard-linked files).
 *
 * <p>{@code -Dunionfs.long=true}: 10 seeds x 1000 operations per direction; {@code -Dunionfs.seed=N}.
 */
@Timeout(value = 30, unit = TimeUnit.MINUTES)
class CrossMountDifferentialTest {
  private static final boolean LONG = Boolean.getBoolean("unionfs.long");

  @RegisterExtension
  final LowersUnchanged lowers = new LowersUnchanged();

  static Stream<Arguments> runs() {
    List<Long> seeds = new ArrayList<>();
    String one = System.getProperty("unionfs.seed", "");
    if (!one.isBlank()) {
      seeds.add(Long.parseLong(one.trim()));
    } else {
      for (int i = 0; i < (LONG ? 10 : 2); i++) {
        seeds.add(500L + i);
      }
    }
    List<Arguments> out = new ArrayList<>();
    for (long seed : seeds) {
      out.add(Arguments.of(UnionSystem.JAVA_OVERLAY, UnionSystem.KERNEL_OVERLAY, seed));
      out.add(Arguments.of(UnionSystem.KERNEL_OVERLAY, UnionSystem.JAVA_OVERLAY, seed));
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{0} writes, {1} reads, seed {2}")
  @MethodSource("runs")
  void theOtherSystemShowsTheSameTree(UnionSystem writer, UnionSystem reader, long seed, @TempDir Path tmp)
      throws Exception {
    CrossMount.run(writer, reader, seed, Integer.getInteger("unionfs.steps", LONG ? 1000 : 200), tmp, lowers);
  }
}
