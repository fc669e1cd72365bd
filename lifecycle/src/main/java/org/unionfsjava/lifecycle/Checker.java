package org.unionfsjava.lifecycle;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.unionfsjava.model.AufsFormat;
import org.unionfsjava.model.BranchIo;
import org.unionfsjava.model.DirEntry;
import org.unionfsjava.model.FormatDetector;
import org.unionfsjava.model.Layer;
import org.unionfsjava.model.Lookup;
import org.unionfsjava.model.OverlayFormat;
import org.unionfsjava.model.Resolution;
import org.unionfsjava.model.Stat;
import org.unionfsjava.model.WhiteoutFormat;

/**
 * The {@code check} tool: finds what a crash or a hand edit can leave in an upper, and repairs
 * it when asked, each repair leaving what a mount shows unchanged: temporaries (in the work
 * directory, and trees an interrupted commit or convert left beside the upper), whiteouts that
 * hide nothing, aufs whiteouts beside their own object, markers and xattrs of the other format,
 * redirects to where the lowers have no directory, and a missing or wrong format record.
 */
public final class Checker {

  /** One thing found. */
  public record Finding(String kind, String path, String detail, boolean repaired) {}

  private final UpperLayout layout;
  private final BranchIo io;
  private final WhiteoutFormat format;
  private final Progress progress;
  private final boolean repair;
  private final List<Finding> findings = new ArrayList<>();

  public Checker(UpperLayout layout, Progress progress, boolean repair) {
    this.layout = layout;
    this.io = layout.io();
    this.format = layout.format();
    this.progress = progress;
    this.repair = repair;
  }

  /** Checks (and repairs) the upper; the findings, repaired or not. */
  public List<Finding> check(boolean live) throws IOException {
    progress.begin("check: reading the upper");
    if (!live) {
      temporaries();
    }
    formatRecord();
    Lookup lookup = layout.lowers().isEmpty() ? null : layout.lookup();
    Deque<Resolution.Visible> dirs = new ArrayDeque<>();
    new UpperWalk(layout, progress).walk(new UpperWalk.Visitor() {
      @Override
      public boolean visit(UpperEntry e) throws IOException {
        if (e.path().isRoot()) {
          if (lookup != null) {
            dirs.push(lookup.root());
          }
          return true;
        }
        if (e.whiteout()) {
          if (lookup != null && !lowerHas(dirs.peek(), e.path().name())) {
            fix("stale-whiteout", e, "a whiteout that hides nothing", () -> io.unlink(e.real()));
          }
          return false;
        }
        if (e.pairedWhiteout()) {
          Path marker = e.real().resolveSibling(AufsFormat.PREFIX + e.path().name());
          fix("aufs-pair", e, "an aufs whiteout beside its own object (a crash between two steps)", () -> {
            if (e.isDirectory() && e.redirect() == null) {
              format.markOpaque(io, e.real()); // the pair made it opaque: keep that
            } // a redirected one merges with its redirect's lower content, pair or not: keep that
            io.unlink(marker);
          });
        }
        foreignXattrs(e);
        if (e.isDirectory() && e.redirect() != null && lookup != null) {
          Resolution r = lookup.step(dirs.peek(), e.path().name());
          if (r instanceof Resolution.Visible && !((Resolution.Visible) r).hasLowerLayers() && !e.opaque()) {
            fix("broken-redirect", e, "a redirect to " + e.redirectTarget() + ", where the lowers have no directory",
                () -> {
                  format.markOpaque(io, e.real()); // the view is the upper's alone already
                  if (format.name().equals("overlay")) {
                    io.removeXattr(e.real(), OverlayFormat.REDIRECT_XATTR);
                  } else {
                    io.unlink(e.real().resolve(AufsFormat.REDIRECT_MARKER));
                  }
                });
          }
        }
        if (e.isDirectory() && lookup != null) {
          Resolution r = lookup.step(dirs.peek(), e.path().name());
          if (r instanceof Resolution.Visible) {
            dirs.push((Resolution.Visible) r);
            return true;
          }
          return false;
        }
        return e.isDirectory();
      }

      @Override
      public void leave(UpperEntry dir) {
        if (lookup != null && !dirs.isEmpty()) {
          dirs.pop();
        }
      }

      @Override
      public void internal(org.unionfsjava.model.UnionPath dir, Path real, DirEntry entry) throws IOException {
        if (entry.name().equals(".wh..wh.redirect.tmp")) {
          fix("temporary", real.toString(), "a redirect marker a crash left half-written", () -> io.unlink(real));
        }
      }
    });
    progress.end();
    return findings;
  }

  private boolean lowerHas(Resolution.Visible parent, String name) throws IOException {
    for (Layer l : parent.layers()) {
      if (l.inUpper()) {
        continue;
      }
      WhiteoutFormat.Entry e = format.lookup(io, l.path(), name);
      if (e instanceof WhiteoutFormat.Present) {
        return true;
      }
      if (e instanceof WhiteoutFormat.Whiteout) {
        return false;
      }
    }
    return false;
  }

  private void foreignXattrs(UpperEntry e) throws IOException {
    for (String x : Xattrs.names(io, e.real())) {
      boolean foreign = Converter.isForeign(x, format)
          || (format.name().equals("aufs") && x.equals(OverlayFormat.OPAQUE_XATTR));
      if (foreign) {
        fix("foreign-marker", e, "xattr " + x + " of the other format", () -> io.removeXattr(e.real(), x));
      }
    }
    if (format.name().equals("aufs") && OverlayFormat.isWhiteoutNode(e.stat())) {
      fix("foreign-marker", e, "an overlay whiteout (0/0 device) in an aufs upper", () -> {
        io.unlink(e.real());
        format.whiteout(io, null, e.real().getParent(), e.path().name());
      });
    }
    if (format.name().equals("overlay") && e.path().name().startsWith(AufsFormat.PREFIX)) {
      fix("foreign-marker", e, "an aufs marker name in an overlay upper", null);
    }
  }

  private void temporaries() throws IOException {
    Path tmp = layout.workDir().resolve("tmp");
    if (io.lstat(tmp) != null) {
      for (DirEntry e : io.list(tmp)) {
        Path p = tmp.resolve(e.name());
        fix("temporary", p.toString(), "a temporary in the work directory", () -> AsideTree.remove(io, p));
      }
    }
    if (layout.hiddenName() != null && layout.hiddenName().equals(UpperLayout.DEFAULT_WORKDIR_NAME)) {
      for (Path p : new Snapshots(io, layout.upper(), List.of(), Progress.NONE).leftovers()) {
        fix("temporary", p.toString(), "a layer or upper an interrupted snapshot tool left (no record names it)",
            () -> AsideTree.remove(io, p));
      }
    }
    Path parent = layout.upper().getParent();
    for (String tool : new String[] {"convert", "commit"}) {
      String prefix = "." + layout.upper().getFileName() + ".unionfs-" + tool + ".";
      for (DirEntry e : io.list(parent)) {
        if (e.name().startsWith(prefix) && AsideTree.isStale(e.name().substring(prefix.length()))) {
          Path p = parent.resolve(e.name());
          fix("temporary", p.toString(), "a tree an interrupted " + tool + " left", () -> AsideTree.remove(io, p));
        }
      }
    }
  }

  private void formatRecord() throws IOException {
    String markers = new FormatDetector(io).scan(layout.upper(), layout.hiddenName());
    String recorded = layout.recorded();
    if (recorded != null && markers != null && !recorded.equals(markers)) {
      fix("format-record", layout.workDir().resolve(FormatDetector.RECORD).toString(),
          "the record says " + recorded + " but the upper holds " + markers + " markers", () -> writeRecord(markers));
    } else if (recorded == null && layout.hasWorkDir()) {
      String name = markers != null ? markers : format.name();
      fix("format-record", layout.workDir().resolve(FormatDetector.RECORD).toString(),
          "the work directory has no format record", () -> writeRecord(name));
    }
  }

  private void writeRecord(String name) throws IOException {
    Path rec = layout.workDir().resolve(FormatDetector.RECORD);
    Path temp = layout.workDir().resolve("tmp").resolve("format.check." + ProcessHandle.current().pid());
    io.writeNewFile(temp, (name + "\n").getBytes(StandardCharsets.US_ASCII), 0644);
    io.rename(temp, rec, BranchIo.RenameMode.REPLACE);
  }

  /** A repair step. */
  @FunctionalInterface
  private interface Repair {
    void run() throws IOException;
  }

  private void fix(String kind, UpperEntry e, String detail, Repair r) throws IOException {
    fix(kind, e.path().toString(), detail, r);
  }

  private void fix(String kind, String path, String detail, Repair r) throws IOException {
    boolean done = false;
    if (repair && r != null) {
      r.run();
      done = true;
    }
    findings.add(new Finding(kind, path, detail, done));
  }
}
