package org.unionfsjava.e2e.differential;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.unionfsjava.e2e.support.MergedModel;
import org.unionfsjava.e2e.support.PosixExtras;
import org.unionfsjava.e2e.support.Syscalls;

/**
 * The deterministic starting point of a differential run: two lowers filled from the seed
 * (regular files of many sizes, some sparse or larger than 64 KiB, symlinks, directories to three
 * levels, user xattrs, explicit mtimes in ns) with overlapping names, so that lower 1 hides,
 * replaces and merges with lower 2; and the model, a plain directory holding the merged view
 * they should show (DESIGN §2 lookup: the topmost branch decides the type; directories merge).
 */
final class LowerTree {
  /** The names every level draws from; small, so operations collide with existing objects. */
  static final List<String> NAMES = List.of("a", "b", "c", "d", "e", "x y");
  static final int MAX_DEPTH = 3;

  private static final int[] FILE_MODES = {0644, 0600, 0755, 0444, 0640};
  private static final int[] DIR_MODES = {0755, 0700, 0750, 0555};

  private LowerTree() {}

  /** Fills the (empty) lowers from the seed; lowers.get(0) is the top lower. */
  static void fill(long seed, List<Path> lowers) throws IOException {
    for (int i = lowers.size() - 1; i >= 0; i--) {
      Random r = new Random(seed * 1_000_003L + 17L * i);
      boolean bottom = i == lowers.size() - 1; // the bottom lower is the big one, the others overlay it
      Path below = bottom ? null : lowers.get(i + 1);
      fillDir(r, lowers.get(i), below, 1, bottom ? 0.5 : 0.3, bottom ? 0.4 : 0.2, bottom ? 0.45 : 0.3);
      Syscalls.chmod(lowers.get(i), 0755).requireOk();
      setTimes(r, lowers.get(i));
    }
  }

  /**
   * Fills one directory of a lower. Over a directory of the lower below, an upper lower mostly
   * has a directory too (they merge), sometimes a file (it hides the whole subtree) or nothing.
   */
  private static void fillDir(Random r, Path dir, Path below, int depth, double dir1, double dir2, double fileChance)
      throws IOException {
    for (String name : NAMES) {
      Path p = dir.resolve(name);
      Path under = below == null ? null : below.resolve(name);
      boolean overDir = under != null && Files.isDirectory(under, LinkOption.NOFOLLOW_LINKS);
      double x = r.nextDouble();
      double dirChance = overDir ? 0.7 : depth == 1 ? dir1 : depth == 2 ? dir2 : 0;
      double fileP = overDir ? 0.1 : fileChance;
      if (x < dirChance) {
        Files.createDirectory(p);
        fillDir(r, p, overDir ? under : null, depth + 1, dir1, dir2, fileChance);
        if (r.nextInt(8) == 0) {
          Syscalls.setxattr(p, "user.dirnote", "d" + r.nextInt(1000)).requireOk();
        }
        Syscalls.chmod(p, DIR_MODES[r.nextInt(DIR_MODES.length)]).requireOk();
        setTimes(r, p);
      } else if (x < dirChance + fileP) {
        Files.write(p, content(r));
        if (r.nextInt(15) == 0) {
          Syscalls.truncate(p, Files.size(p) + 100_000 + r.nextInt(100_000)).requireOk(); // sparse tail
        }
        if (r.nextInt(6) == 0) {
          Syscalls.setxattr(p, "user.note", "v" + r.nextInt(1_000_000)).requireOk();
        }
        Syscalls.chmod(p, FILE_MODES[r.nextInt(FILE_MODES.length)]).requireOk();
        setTimes(r, p);
      } else if (x < dirChance + fileP + 0.06) {
        Syscalls.symlink(NAMES.get(r.nextInt(NAMES.size())), p).requireOk();
        setTimes(r, p);
      }
    }
  }

  private static byte[] content(Random r) {
    int kind = r.nextInt(20);
    int len = kind == 0 ? 0 : kind == 1 ? 70_000 + r.nextInt(70_000) : kind < 8 ? 1 + r.nextInt(100) : r.nextInt(4000);
    byte[] b = new byte[len];
    r.nextBytes(b);
    return b;
  }

  private static void setTimes(Random r, Path p) {
    long mtime = (1_500_000_000L + r.nextInt(100_000_000)) * 1_000_000_000L + r.nextInt(1_000_000_000);
    PosixExtras.utimens(p, mtime + 1_000_000_000L, mtime, true).requireOk();
  }

  /** Builds the merged view of the lowers in the (empty) model directory; see {@link MergedModel}. */
  static void buildModel(List<Path> lowers, Path model) throws IOException {
    MergedModel.build(lowers, model);
  }

  static void copyNonDirectory(Path src, Path dst) throws IOException {
    MergedModel.copyNonDirectory(src, dst);
  }

  static void copyMetadata(Path src, Path dst) throws IOException {
    MergedModel.copyMetadata(src, dst);
  }

  static long nanos(Object fileTime) {
    return MergedModel.nanos(fileTime);
  }
}
