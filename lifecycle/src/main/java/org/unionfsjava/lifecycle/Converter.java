package org.unionfsjava.lifecycle;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.unionfsjava.model.BranchIo;
import org.unionfsjava.model.DirEntry;
import org.unionfsjava.model.Errno;
import org.unionfsjava.model.FileKind;
import org.unionfsjava.model.FormatDetector;
import org.unionfsjava.model.Stat;
import org.unionfsjava.model.UnionException;
import org.unionfsjava.model.UnionPath;
import org.unionfsjava.model.WhiteoutFormat;

/**
 * The {@code convert} tool: rewrites an unmounted upper in another whiteout format (overlay or
 * aufs), reading an upper in either format or in the layout unionfs-fuse writes. The new upper is
 * built aside, next to the old one on the same filesystem: directories anew, with the target
 * format's markers; every other object hard-linked (its data is not copied) and given the target
 * format's xattrs (origin, metadata-only mark, link count) beside the old ones; the work
 * directory anew with the format record and the hard-link index linked. Then the two trees are
 * exchanged in one rename, the old one is removed, and the old format's xattrs are stripped from
 * the shared inodes. The union's own xattrs are private in both formats, so an interruption
 * anywhere leaves the old upper or the new one as a mount sees it; running convert again finishes
 * the strip, and check reports what is left.
 */
public final class Converter {
  private static final Logger LOG = LogManager.getLogger();

  /** What a conversion did. */
  public record Result(String from, String to, boolean changed, long objects, long whiteouts,
      long opaque, long redirects, int staleRemoved) {}

  private final BranchIo io;
  private final Path upper;
  private final List<Path> lowers;
  private final Progress progress;
  private WhiteoutFormat target;
  private Attributes attributes;
  private long objects;
  private long whiteouts;
  private long opaque;
  private long redirects;

  public Converter(BranchIo io, Path upper, List<Path> lowers, Progress progress) {
    this.io = io;
    this.upper = upper;
    this.lowers = List.copyOf(lowers);
    this.progress = progress;
  }

  /** Converts the upper to the format {@code to} ("overlay" or "aufs"). */
  public Result convert(String to) throws IOException {
    target = FormatDetector.byName(to);
    attributes = new Attributes(io, target);
    UnionfsFuseUpper fuse = UnionfsFuseUpper.find(io, upper);
    UpperLayout layout = fuse != null ? null : UpperLayout.open(io, upper, lowers, null, to);
    String from = fuse != null ? "unionfs-fuse" : layout.format().name();
    if (layout != null && from.equals(target.name()) && target.name().equals(layout.recorded())) {
      int stale = new AsideTree(io, upper, "convert").removeStale(); // an interrupt after the swap
      long stripped = stripForeign(io, upper, target, layout.hiddenName(), progress);
      LOG.info("{} is already in the {} format ({} leftover xattrs stripped)", upper, from, stripped);
      return new Result(from, target.name(), false, 0, 0, 0, 0, stale);
    }
    if (target.name().equals("overlay") && fuse == null) {
      requireOverlayCapable();
    }
    AsideTree aside = new AsideTree(io, upper, "convert");
    int stale = aside.removeStale();
    Path temp = aside.temp();
    progress.begin("convert: writing the " + target.name() + " upper");
    try {
      io.mkdir(temp, 0700);
      Path work = temp.resolve(UpperLayout.DEFAULT_WORKDIR_NAME);
      io.mkdir(work, 0700);
      io.mkdir(work.resolve("tmp"), 0700);
      io.mkdir(work.resolve("index"), 0700);
      if (fuse != null) {
        new FuseSource(fuse, temp).build();
      } else {
        fromLayout(layout, temp);
        linkIndex(layout, work.resolve("index"));
      }
      io.writeNewFile(work.resolve(FormatDetector.RECORD),
          (target.name() + "\n").getBytes(StandardCharsets.US_ASCII), 0644);
      progress.end();
      aside.install(true, "convert.before-swap", "convert.after-swap");
    } catch (IOException | RuntimeException | Error e) {
      progress.end();
      aside.discard();
      throw e;
    }
    stripForeign(io, upper, target, UpperLayout.DEFAULT_WORKDIR_NAME, Progress.NONE);
    return new Result(from, target.name(), true, objects, whiteouts, opaque, redirects, stale);
  }

  private void requireOverlayCapable() throws IOException {
    Path probe = upper.resolveSibling("." + upper.getFileName() + ".unionfs-probe." + ProcessHandle.current().pid());
    try {
      io.mknod(probe, 0020000, 0);
    } catch (UnionException e) {
      throw new UnionException(e.errno(), upper.toString(), "the overlay format needs device nodes"
          + " and trusted xattrs on the upper's filesystem (root)", e);
    } finally {
      if (io.lstat(probe) != null) {
        io.unlink(probe);
      }
    }
  }

  /** An upper in the overlay or aufs format, read with its format. */
  private void fromLayout(UpperLayout layout, Path temp) throws IOException {
    WhiteoutFormat source = layout.format();
    Deque<Path> dirs = new ArrayDeque<>();
    new UpperWalk(layout, progress).walk(new UpperWalk.Visitor() {
      @Override
      public boolean visit(UpperEntry e) throws IOException {
        if (e.path().isRoot()) {
          dirs.push(temp);
          return true;
        }
        Path t = dirs.peek().resolve(e.path().name());
        objects++;
        if (e.whiteout()) {
          target.whiteout(io, null, dirs.peek(), e.path().name());
          whiteouts++;
          return false;
        }
        if (e.isDirectory()) {
          io.mkdir(t, 0700);
          dirs.push(t);
          return true;
        }
        io.link(e.real(), t);
        translateFileMarks(source, e, t);
        return false;
      }

      @Override
      public void leave(UpperEntry dir) throws IOException {
        Path t = dirs.pop();
        finishDir(source, dir.real(), dir.stat(), t, dir.hidesLowers(), dir.redirect());
      }
    });
  }

  /** A directory's marks in the target format, then its attributes (times last). */
  private void finishDir(WhiteoutFormat source, Path from, Stat st, Path t, boolean isOpaque,
      String redirect) throws IOException {
    if (isOpaque) {
      target.markOpaque(io, t);
      opaque++;
    }
    if (redirect != null) {
      target.setRedirect(io, t, redirect);
      redirects++;
    }
    if (source != null) {
      copyOwn(from, source.originXattr(), t, target.originXattr());
    }
    attributes.copy(from, st, t);
  }

  /** The target format's origin and metadata-only mark on a linked file (its old ones stay until the strip). */
  private void translateFileMarks(WhiteoutFormat source, UpperEntry e, Path t) throws IOException {
    copyOwn(e.real(), source.originXattr(), t, target.originXattr());
    if (e.kind() == FileKind.REGULAR && e.metacopy()) {
      try {
        target.markMetacopy(io, t);
      } catch (UnionException x) {
        throw new UnionException(x.errno(), e.path().toString(), "the " + target.name()
            + " format cannot mark this metadata-only copy on this filesystem (" + x.getMessage() + ")", x);
      }
      if (e.redirect() != null) {
        if (!target.name().equals("overlay")) {
          throw new UnionException(Errno.ENOTSUP, e.path().toString(), "a renamed metadata-only"
              + " copy (kernel overlayfs wrote it) has no form in the " + target.name() + " format");
        }
        target.setRedirect(io, t, e.redirect());
      }
    }
  }

  private void copyOwn(Path from, String fromName, Path to, String toName) throws IOException {
    if (fromName.equals(toName)) {
      return;
    }
    byte[] v = io.getXattr(from, fromName);
    if (v != null) {
      try {
        io.setXattr(to, toName, v, 0);
      } catch (UnionException e) {
        if (!Xattrs.unreadable(e.errno())) {
          throw e;
        }
      }
    }
  }

  private void linkIndex(UpperLayout layout, Path newIndex) throws IOException {
    Path oldIndex = layout.workDir().resolve("index");
    if (io.lstat(oldIndex) == null) {
      return;
    }
    String fromLinks = linksXattr(layout.format());
    for (DirEntry e : io.list(oldIndex)) {
      Path t = newIndex.resolve(e.name());
      io.link(oldIndex.resolve(e.name()), t);
      copyOwn(oldIndex.resolve(e.name()), fromLinks, t, linksXattr(target));
      copyOwn(oldIndex.resolve(e.name()), layout.format().originXattr(), t, target.originXattr());
    }
  }

  static String linksXattr(WhiteoutFormat f) {
    String origin = f.originXattr();
    return origin.substring(0, origin.lastIndexOf('.') + 1) + "links";
  }

  /**
   * Removes the other format's xattrs from an upper's non-directories (left on the inodes a
   * conversion shares, or by hand): overlay's {@code trusted.overlay.metacopy}/{@code redirect}
   * and the union's {@code trusted.unionfs.*} in an aufs upper, {@code user.unionfs.*} in an
   * overlay one. Returns how many it removed.
   */
  static long stripForeign(BranchIo io, Path upper, WhiteoutFormat format, String hiddenName,
      Progress progress) throws IOException {
    long[] n = {0};
    stripDir(io, upper, format, hiddenName, true, n, progress);
    return n[0];
  }

  private static void stripDir(BranchIo io, Path dir, WhiteoutFormat format, String hiddenName,
      boolean root, long[] n, Progress progress) throws IOException {
    for (DirEntry e : io.list(dir)) {
      Path p = dir.resolve(e.name());
      Stat st = io.lstat(p);
      if (st == null) {
        continue;
      }
      progress.step();
      boolean work = root && e.name().equals(hiddenName);
      if (st.isDirectory()) {
        stripDir(io, p, format, hiddenName, false, n, progress);
        if (!work) {
          continue;
        }
      }
      for (String x : Xattrs.names(io, p)) {
        if (isForeign(x, format)) {
          io.removeXattr(p, x);
          n[0]++;
        }
      }
    }
  }

  /** True for an xattr of the union or a format that is not {@code format}'s own. */
  static boolean isForeign(String x, WhiteoutFormat format) {
    if (format.name().equals("overlay")) {
      return x.startsWith("user.unionfs.");
    }
    return x.startsWith("trusted.unionfs.") || x.equals("trusted.overlay.metacopy")
        || x.equals("trusted.overlay.redirect") || x.equals("trusted.overlay.origin");
  }

  /** An upper in unionfs-fuse's layout: objects as they are, hide markers as whiteouts. */
  private final class FuseSource {
    private final UnionfsFuseUpper fuse;
    private final Path temp;

    FuseSource(UnionfsFuseUpper fuse, Path temp) {
      this.fuse = fuse;
      this.temp = temp;
    }

    void build() throws IOException {
      walk(UnionPath.ROOT, fuse.upper(), temp);
      // hidden names under directories the upper never had: the lowers' directory chain first
      for (UnionPath h : fuse.hiddenPaths()) {
        if (!fuse.ancestorHidden(h) && io.lstat(h.resolveIn(temp)) == null && lowerHas(h)) {
          Path parent = ensureParents(h.parent());
          if (parent != null) {
            target.whiteout(io, null, parent, h.name());
            whiteouts++;
          }
        }
      }
      attributes.copy(fuse.upper(), io.lstat(fuse.upper()), temp);
    }

    private void walk(UnionPath at, Path from, Path to) throws IOException {
      List<DirEntry> entries = io.list(from);
      entries.sort((a, b) -> a.name().compareTo(b.name()));
      for (DirEntry e : entries) {
        if (at.isRoot() && (e.name().equals(fuse.metaName()) || e.name().equals(UpperLayout.DEFAULT_WORKDIR_NAME))) {
          continue;
        }
        UnionPath p = at.child(e.name());
        Path src = from.resolve(e.name());
        Path t = to.resolve(e.name());
        Stat st = io.lstat(src);
        if (st == null) {
          continue;
        }
        progress.step();
        objects++;
        if (st.isDirectory()) {
          io.mkdir(t, 0700);
          walk(p, src, t);
          boolean hides = fuse.isHidden(p) && !fuse.ancestorHidden(p) && lowerHas(p);
          finishDir(null, src, st, t, hides, null);
        } else {
          io.link(src, t);
        }
      }
    }

    /** True if some lower has this path (a whiteout for it hides something). */
    private boolean lowerHas(UnionPath p) throws IOException {
      for (Path l : lowers) {
        if (io.lstat(p.resolveIn(l)) != null) {
          return true;
        }
      }
      return lowers.isEmpty(); // no lowers given: keep every marker
    }

    /** The directory chain of {@code dir} in the new tree, made with the lowers' attributes. */
    private Path ensureParents(UnionPath dir) throws IOException {
      Path t = dir.resolveIn(temp);
      Stat there = io.lstat(t);
      if (there != null) {
        return there.isDirectory() ? t : null;
      }
      Path parent = ensureParents(dir.parent());
      if (parent == null) {
        return null;
      }
      for (Path l : lowers) {
        Path src = dir.resolveIn(l);
        Stat st = io.lstat(src);
        if (st != null && st.isDirectory()) {
          io.mkdir(t, 0700);
          attributes.copy(src, st, t);
          return t;
        }
      }
      io.mkdir(t, 0755);
      return t;
    }
  }
}
