package org.unionfsjava.e2e.differential;

import static org.unionfsjava.e2e.support.TreeAssert.assertTrees;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.unionfsjava.e2e.support.ChangeScript;
import org.unionfsjava.e2e.support.LowersUnchanged;
import org.unionfsjava.e2e.support.MergedModel;
import org.unionfsjava.e2e.support.SystemSelection;
import org.unionfsjava.e2e.support.TestUnion;
import org.unionfsjava.e2e.support.TreeSnapshot;
import org.unionfsjava.e2e.support.UnionSystem;

/**
 * Unmount and mount again keeps the tree: every kind of upper state ({@link ChangeScript}:
 * whiteouts of files and of a directory tree, an opaque directory, a directory over a whiteout,
 * copied-up and chmod'ed objects, symlinks, a hard link, times) reads back the same, with owners
 * and mtimes (ns), in each whiteout format, and twice in a row. Kernel overlayfs runs as the
 * reference. The view is also compared with a plain directory given the same changes.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class RemountKeepsTreeTest {
  @TempDir
  Path tmp;

  @RegisterExtension
  final LowersUnchanged lowers = new LowersUnchanged();

  @ParameterizedTest(name = "{0}")
  @EnumSource(UnionSystem.class)
  void remountingKeepsTheTree(UnionSystem system) throws IOException {
    SystemSelection.assumeSelected(system);
    Path model = Files.createDirectories(tmp.resolve("model"));
    try (TestUnion u = TestUnion.create(tmp.resolve("u"), 2, system)) {
      ChangeScript.fillLowers(u.lowers());
      lowers.watch(u.lowers());
      MergedModel.build(u.lowers(), model);
      ChangeScript.apply(model);
      u.mount();
      ChangeScript.apply(u.mnt());
      Map<String, String> before = TreeSnapshot.of(u.mnt(), true);
      assertTrees(system + ": view after the changes vs the model", TreeSnapshot.of(model, false),
          TreeSnapshot.of(u.mnt(), false));
      for (int round = 1; round <= 2; round++) {
        u.unmount();
        u.mount();
        assertTrees(system + ": view after unmount + mount #" + round + " vs the view before", before,
            TreeSnapshot.of(u.mnt(), true));
      }
    }
  }
}
