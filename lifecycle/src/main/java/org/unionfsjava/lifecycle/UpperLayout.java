package org.unionfsjava.lifecycle;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.unionfsjava.model.BranchIo;
import org.unionfsjava.model.BranchStack;
import org.unionfsjava.model.DirectoryMerger;
import org.unionfsjava.model.Errno;
import org.unionfsjava.model.FormatDetector;
import org.unionfsjava.model.HardLinkIndex;
import org.unionfsjava.model.Lookup;
import org.unionfsjava.model.Stat;
import org.unionfsjava.model.UnionException;
import org.unionfsjava.model.WhiteoutFormat;
import org.unionfsjava.model.WorkDir;

/**
 * One upper as it lies on disk, with the lowers it was mounted over: where its work directory is,
 * which whiteout format it is in (read, never written: the record in the work directory, else the
 * markers it holds), and the model's lookup over the whole stack, so the tools see exactly what a
 * mount of these branches shows.
 *
 * @param io the branch I/O (native: device nodes and trusted xattrs)
 * @param upper the upper's root
 * @param lowers the lowers' roots, top first (may be empty for tools that need none)
 * @param workDir the work directory (inside the upper by default)
 * @param hiddenName the work directory's name at the upper's root, or null when it lies outside
 * @param format the upper's whiteout format
 * @param recorded the format named by the work directory's record, or null if it has none
 */
public record UpperLayout(BranchIo io, Path upper, List<Path> lowers, Path workDir,
    String hiddenName, WhiteoutFormat format, String recorded) {

  /** The default work directory's name at the upper's root (the union's {@code .unionfs-java}). */
  public static final String DEFAULT_WORKDIR_NAME = org.unionfsjava.fs.UnionMount.DEFAULT_WORKDIR_NAME;

  public UpperLayout {
    lowers = List.copyOf(lowers);
  }

  /**
   * Opens an upper: checks that the branches are directories and finds the format. An upper with
   * neither a record nor markers reads the same in both formats; {@code fallback} names the one
   * used then ("auto" or null: aufs, which needs nothing of the filesystem).
   */
  public static UpperLayout open(BranchIo io, Path upper, List<Path> lowers, Path workDir,
      String fallback) throws IOException {
    requireDirectory(io, upper, "the upper");
    for (Path l : lowers) {
      requireDirectory(io, l, "a lower");
      if (l.equals(upper)) {
        throw new UnionException(Errno.EINVAL, l.toString(), "a lower is the upper itself");
      }
    }
    Path work = workDir != null ? workDir : upper.resolve(DEFAULT_WORKDIR_NAME);
    String hidden = work.getParent() != null && work.getParent().equals(upper)
        ? work.getFileName().toString() : null;
    FormatDetector detector = new FormatDetector(io);
    String recorded = io.lstat(work) != null ? detector.recorded(work) : null;
    String found = recorded != null ? recorded : detector.scan(upper, hidden);
    if (found == null) {
      found = fallback == null || fallback.equals("auto") ? "aufs" : fallback;
    }
    return new UpperLayout(io, upper, lowers, work, hidden, FormatDetector.byName(found), recorded);
  }

  private static void requireDirectory(BranchIo io, Path p, String what) throws IOException {
    Stat st = io.lstat(p);
    if (st == null) {
      throw new UnionException(Errno.ENOENT, p.toString(), what + " does not exist");
    }
    if (!st.isDirectory()) {
      throw new UnionException(Errno.ENOTDIR, p.toString(), what + " is not a directory");
    }
  }

  /** The same layout read in another format (for a check that weighs both). */
  public UpperLayout withFormat(WhiteoutFormat other) {
    return new UpperLayout(io, upper, lowers, workDir, hiddenName, other, recorded);
  }

  /** The branch stack: the upper over the lowers. */
  public BranchStack stack() {
    if (lowers.isEmpty()) {
      throw new IllegalStateException("no lowers given");
    }
    return BranchStack.of(upper, lowers);
  }

  /** The model's lookup over the stack: what a mount of these branches shows. */
  public Lookup lookup() {
    return new Lookup(stack(), io, format, hiddenName);
  }

  /** The model's merged listings over the stack. */
  public DirectoryMerger merger(Lookup lookup) {
    return new DirectoryMerger(io, lookup);
  }

  /** The work directory as the model knows it (nothing is created). */
  public WorkDir work() {
    return new WorkDir(io, workDir);
  }

  /** The hard-link index of this upper. */
  public HardLinkIndex index() {
    return new HardLinkIndex(io, work(), format);
  }

  /** True if the work directory exists. */
  public boolean hasWorkDir() throws IOException {
    Stat st = io.lstat(workDir);
    return st != null && st.isDirectory();
  }
}
