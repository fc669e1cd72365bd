package org.unionfsjava.e2e.coherence;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.unionfsjava.e2e.support.Fixture;
import org.unionfsjava.e2e.support.SystemSelection;
import org.unionfsjava.e2e.support.TestUnion;
import org.unionfsjava.e2e.support.TreeSnapshot;
import org.unionfsjava.e2e.support.UnionSystem;

/**
 * Issue 18 item 8: {@code --lower-mode fixed} promises nothing about changes made below a live
 * mount, but the view must stay self-consistent: every name a listing shows can be looked up, and
 * every name that can be looked up is listed. After an unmount and a mount the lower's new state
 * shows in full. The lower changes (a name removed, one added, a file replaced by a directory) in
 * a directory the union has listed, looked into and answered misses for (so the daemon keeps a
 * listing of its lower directory, {@code FixedLowerListings}), and in one it has never read.
 */
@Timeout(180)
@DisplayName("fixed lower mode: after a change below, listings and lookups agree; a remount shows the change")
class FixedModeSelfConsistencyTest {
  /** Names the test knows in each directory: old and new. */
  private static final List<String> NAMES = List.of("keep", "gone", "tobedir", "new");
  /** Read every way before the change; only missed in; never read. */
  private static final List<String> DIRS = List.of("listed", "probed", "unlisted");

  @ParameterizedTest(name = "{0}")
  @EnumSource(names = {"JAVA_OVERLAY", "JAVA_AUFS"})
  void changeBelowFixedMount_listingsAndLookupsAgree_remountShowsIt(UnionSystem system, @TempDir Path root)
      throws Exception {
    SystemSelection.assumeSelected(system);
    TestUnion u = TestUnion.create(root, 1, system).withArgs("--lower-mode", "fixed");
    try {
      Path lower = u.lower(1);
      for (String dir : DIRS) {
        for (String n : List.of("keep", "gone", "tobedir")) {
          Fixture.file(lower.resolve(dir + "/" + n), dir + "/" + n + "\n");
        }
      }
      u.mount();
      // the union reads "listed" every way: a listing, every name, and misses enough for the
      // daemon to keep a listing of the lower directory
      for (String n : Fixture.names(u.at("listed"))) {
        Fixture.stat(u.at("listed/" + n));
        Fixture.read(u.at("listed/" + n));
      }
      // "probed" only answers misses (a PATH search): the daemon lists its lower directory, the
      // kernel has no listing of it
      for (String dir : List.of("listed", "probed")) {
        for (int i = 0; i < 20; i++) {
          Files.exists(u.at(dir + "/missing" + i), LinkOption.NOFOLLOW_LINKS);
        }
      }

      for (String dir : DIRS) {
        Files.delete(lower.resolve(dir + "/gone"));
        Fixture.file(lower.resolve(dir + "/new"), dir + "/new\n");
        Files.delete(lower.resolve(dir + "/tobedir"));
        Fixture.file(lower.resolve(dir + "/tobedir/inside"), dir + "/tobedir/inside\n");
      }

      List<String> contradictions = new ArrayList<>();
      for (String dir : DIRS) {
        checkDirectory(u.at(dir), dir, contradictions);
      }
      assertEquals(List.of(), contradictions, system + ": the view after the change below must agree with itself");

      u.unmount();
      u.mount();
      Map<String, String> truth = TreeSnapshot.of(lower, false);
      assertEquals(truth, TreeSnapshot.of(u.mnt(), false), system + ": after a remount the lower's state in full");
    } finally {
      u.close();
    }
  }

  /**
   * Lists a directory and looks up every name it lists (and every name the test knows, listed or
   * not), recursing into directories: each disagreement is added to {@code out}.
   */
  private static void checkDirectory(Path dir, String rel, List<String> out) throws IOException {
    Set<String> listed = new TreeSet<>(Fixture.names(dir));
    Set<String> probe = new TreeSet<>(listed);
    probe.addAll(NAMES);
    for (String n : probe) {
      Path p = dir.resolve(n);
      String kind = kindOrMissing(p);
      boolean found = !kind.equals("missing");
      if (listed.contains(n) && !found) {
        out.add(rel + "/" + n + ": listed, but its lookup answers ENOENT");
      } else if (!listed.contains(n) && found) {
        out.add(rel + "/" + n + ": not listed, but its lookup finds a " + kind);
      } else if (kind.equals("dir")) {
        checkDirectory(p, rel + "/" + n, out);
      }
    }
  }

  private static String kindOrMissing(Path p) {
    if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
      return "missing";
    }
    return Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) ? "dir" : Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) ? "file" : "other";
  }
}
