package org.unionfsjava.e2e.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * A fixed pair of lowers and a fixed set of changes that leaves every kind of upper state
 * behind: copied-up and edited files, whiteouts of lower files and of a lower directory tree,
 * an opaque directory (rmdir, then mkdir over the whiteout), a directory over a file's whiteout,
 * a file over a directory's whiteout, new files and directories, chmod of a file and of a merged
 * directory, symlinks new and replaced, a renamed lower file, a hard link to a lower file, a
 * truncated file, explicit times, and a renamed upper-only directory.
 *
 * <p>{@link #apply} uses plain system calls that must all succeed, so it runs the same on a
 * union's mount point and on a plain directory that holds the merged lowers (the model).
 */
public final class ChangeScript {
  private ChangeScript() {}

  /** Fills two empty lowers (lowers.get(0) on top). */
  public static void fillLowers(List<Path> lowers) throws IOException {
    Path top = lowers.get(0);
    Path bottom = lowers.get(1);
    write(bottom, "d1/f1", "lower2 d1/f1\n");
    write(bottom, "d1/f2", "lower2 d1/f2\n");
    write(bottom, "d1/sub/g1", "lower2 d1/sub/g1 with some length\n");
    write(bottom, "d2/h1", "lower2 d2/h1\n");
    write(bottom, "d2/h2", "lower2 d2/h2\n");
    write(bottom, "keep/k1", "lower2 keep/k1\n");
    write(bottom, "top.txt", "lower2 top\n");
    write(bottom, "both.txt", "from lower2\n");
    write(bottom, "dirgone/x", "x\n");
    write(bottom, "dirgone/y/z", "z\n");
    write(bottom, "opq/o1", "o1\n");
    write(bottom, "opq/o2", "o2\n");
    write(bottom, "ren/r1", "r1\n");
    write(top, "both.txt", "from lower1\n");
    write(top, "d1/f3", "lower1 d1/f3\n");
    write(top, "l1only.txt", "only in lower1\n");
    write(top, "opq/o3", "o3\n");
    Files.createSymbolicLink(top.resolve("link"), Path.of("top.txt"));
    Syscalls.chmod(bottom.resolve("keep/k1"), 0640).requireOk();
    Syscalls.setxattr(bottom.resolve("d1/f1"), "user.origin", "lower2").requireOk();
    long t = 1_600_000_000_123_456_789L;
    for (Path lower : lowers) {
      try (var s = Files.walk(lower)) {
        for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
          t += 1_000_000_007L;
          PosixExtras.utimens(p, t, t, true).requireOk();
        }
      }
    }
  }

  /** Makes the changes under {@code root} (a mount point or a plain model directory). */
  public static void apply(Path root) throws IOException {
    // edit lower files (copy-up), overwrite a file that hides another
    Files.writeString(root.resolve("d1/f1"), "appended\n", StandardOpenOption.APPEND);
    Files.writeString(root.resolve("both.txt"), "overwritten through the union\n");
    // delete lower files: whiteouts
    ok(Syscalls.unlink(root.resolve("d2/h1")));
    ok(Syscalls.unlink(root.resolve("l1only.txt")));
    // delete a lower directory tree
    ok(Syscalls.unlink(root.resolve("dirgone/y/z")));
    ok(Syscalls.rmdir(root.resolve("dirgone/y")));
    ok(Syscalls.unlink(root.resolve("dirgone/x")));
    ok(Syscalls.rmdir(root.resolve("dirgone")));
    // rmdir + mkdir: an opaque directory (o1..o3 from two lowers must not show through)
    for (String n : List.of("o1", "o2", "o3")) {
      ok(Syscalls.unlink(root.resolve("opq/" + n)));
    }
    ok(Syscalls.rmdir(root.resolve("opq")));
    ok(Syscalls.mkdir(root.resolve("opq"), 0750));
    Files.writeString(root.resolve("opq/new"), "new in opaque dir\n");
    // a directory where a lower file was, a file where a lower directory was
    ok(Syscalls.unlink(root.resolve("d2/h2")));
    ok(Syscalls.mkdir(root.resolve("d2/h2"), 0755));
    ok(Syscalls.unlink(root.resolve("d1/sub/g1")));
    ok(Syscalls.rmdir(root.resolve("d1/sub")));
    Files.writeString(root.resolve("d1/sub"), "a file where a lower dir was\n");
    // new files and directories
    ok(Syscalls.mkdir(root.resolve("newdir"), 0755));
    ok(Syscalls.mkdir(root.resolve("newdir/deep"), 0700));
    Files.writeString(root.resolve("newdir/deep/n.txt"), "new deep file\n");
    Files.writeString(root.resolve("new.txt"), "new file\n");
    ok(Syscalls.rename(root.resolve("newdir"), root.resolve("newdir2"))); // upper-only dir
    // chmod of a lower file and of a merged directory
    ok(Syscalls.chmod(root.resolve("keep/k1"), 0600));
    ok(Syscalls.chmod(root.resolve("d1"), 0700));
    // symlinks: a new one, and one from a lower replaced
    ok(Syscalls.symlink("d1/f1", root.resolve("newlink")));
    ok(Syscalls.unlink(root.resolve("link")));
    ok(Syscalls.symlink("both.txt", root.resolve("link")));
    // rename of a lower file, hard link to a lower file, truncate, explicit times
    ok(Syscalls.rename(root.resolve("ren/r1"), root.resolve("ren/r1-renamed")));
    ok(Syscalls.link(root.resolve("top.txt"), root.resolve("hard.txt")));
    ok(Syscalls.truncate(root.resolve("d1/f2"), 3));
    ok(PosixExtras.utimens(root.resolve("keep/k1"), 1_234_567_890_987_654_321L, 1_234_567_890_123_456_789L, false));
  }

  private static void ok(Syscalls.Call c) {
    c.requireOk();
  }

  private static void write(Path base, String rel, String content) throws IOException {
    Path p = base.resolve(rel);
    Files.createDirectories(p.getParent());
    Files.writeString(p, content, StandardCharsets.UTF_8);
  }
}
