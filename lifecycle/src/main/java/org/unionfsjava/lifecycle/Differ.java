package org.unionfsjava.lifecycle;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.unionfsjava.model.BranchIo;
import org.unionfsjava.model.FileKind;
import org.unionfsjava.model.HardLinkIndex;
import org.unionfsjava.model.Layer;
import org.unionfsjava.model.Lookup;
import org.unionfsjava.model.Resolution;
import org.unionfsjava.model.Stat;
import org.unionfsjava.model.UnionPath;
import org.unionfsjava.model.WhiteoutFormat;

/**
 * What an upper changes relative to its lowers (the {@code diff} tool): walks the upper once
 * ({@link UpperWalk}) and, for each name, asks the model's lookup what the union shows there
 * and what the lowers alone have under that name, so every rule of the union (whiteouts in
 * lowers, opaque directories, redirects, metadata-only copies) counts exactly as a mount counts it.
 * Only the upper is walked: the cost grows with the changes, not with the lowers.
 */
public final class Differ {
  private final UpperLayout layout;
  private final BranchIo io;
  private final WhiteoutFormat format;
  private final Lookup lookup;
  private final HardLinkIndex index;
  private final Progress progress;

  public Differ(UpperLayout layout, Progress progress) {
    this.layout = layout;
    this.io = layout.io();
    this.format = layout.format();
    this.lookup = layout.lookup();
    this.index = layout.index();
    this.progress = progress;
  }

  /** The changes, in path order (a directory before what is inside it), hard links last. */
  public List<Change> changes() throws IOException {
    List<Change> out = new ArrayList<>();
    Map<String, List<UnionPath>> inodes = new LinkedHashMap<>();
    Map<String, Long> linkCounts = new LinkedHashMap<>();
    Deque<Resolution.Visible> dirs = new ArrayDeque<>();
    progress.begin("diff: reading the upper");
    new UpperWalk(layout, progress).walk(new UpperWalk.Visitor() {
      @Override
      public boolean visit(UpperEntry e) throws IOException {
        if (e.path().isRoot()) {
          dirs.push(lookup.root());
          return true;
        }
        Resolution.Visible parent = dirs.peek();
        Stat below = lowerStat(parent, e.path().name());
        if (e.whiteout()) {
          if (below != null) {
            out.add(Change.of(Change.Type.DELETED, e.path(), below.kind()));
          }
          return false;
        }
        Resolution r = lookup.step(parent, e.path().name());
        if (!(r instanceof Resolution.Visible)) {
          return false; // gone meanwhile (a live mount)
        }
        Resolution.Visible v = (Resolution.Visible) r;
        Change c = classify(e, below);
        if (c != null) {
          out.add(c);
        }
        if (e.kind() == FileKind.REGULAR) {
          noteLinks(e, inodes, linkCounts);
        }
        if (e.isDirectory()) {
          dirs.push(v);
          return true;
        }
        return false;
      }

      @Override
      public void leave(UpperEntry dir) {
        dirs.pop();
      }
    });
    progress.end();
    for (Map.Entry<String, List<UnionPath>> g : inodes.entrySet()) {
      Long count = linkCounts.get(g.getKey());
      if (g.getValue().size() > 1 || count != null) {
        List<UnionPath> names = g.getValue();
        names.sort(null);
        long links = count != null ? count : names.size();
        out.add(new Change(Change.Type.HARD_LINK, names.get(0), FileKind.REGULAR, null, names, links));
      }
    }
    return out;
  }

  /** The lowers' object under this name in a directory of the union, or null (none, or whited out). */
  private Stat lowerStat(Resolution.Visible parent, String name) throws IOException {
    for (Layer l : parent.layers()) {
      if (l.inUpper()) {
        continue;
      }
      WhiteoutFormat.Entry e = format.lookup(io, l.path(), name);
      if (e instanceof WhiteoutFormat.Present) {
        return ((WhiteoutFormat.Present) e).stat();
      }
      if (e instanceof WhiteoutFormat.Whiteout) {
        return null;
      }
    }
    return null;
  }

  private Change classify(UpperEntry e, Stat below) throws IOException {
    if (e.isDirectory() && e.redirect() != null) {
      return new Change(Change.Type.RENAMED, e.path(), e.kind(), e.redirectTarget(), List.of(), 0);
    }
    if (below == null) {
      return Change.of(Change.Type.ADDED, e.path(), e.kind());
    }
    if (below.kind() != e.kind()) {
      return Change.of(Change.Type.REPLACED, e.path(), e.kind());
    }
    if (e.isDirectory()) {
      if (e.hidesLowers()) {
        return Change.of(Change.Type.OPAQUE, e.path(), e.kind());
      }
      return attributesDiffer(e, below) ? Change.of(Change.Type.METADATA, e.path(), e.kind()) : null;
    }
    if (e.metacopy()) {
      return Change.of(Change.Type.METADATA, e.path(), e.kind());
    }
    if (e.kind() == FileKind.SYMLINK || e.kind() == FileKind.CHAR_DEVICE
        || e.kind() == FileKind.BLOCK_DEVICE || e.kind() == FileKind.FIFO
        || e.kind() == FileKind.SOCKET) {
      // a node's "data" is its target or device number: the same one is an attribute change
      return sameNode(e, below) ? (attributesDiffer(e, below)
          ? Change.of(Change.Type.METADATA, e.path(), e.kind()) : null)
          : Change.of(Change.Type.MODIFIED, e.path(), e.kind());
    }
    return Change.of(Change.Type.MODIFIED, e.path(), e.kind());
  }

  private boolean sameNode(UpperEntry e, Stat below) throws IOException {
    if (e.kind() != FileKind.SYMLINK) {
      return e.stat().rdev() == below.rdev();
    }
    Path lowerPath = lowerPathOf(e.path());
    return lowerPath != null && Objects.equals(io.readlink(e.real()), io.readlink(lowerPath));
  }

  private Path lowerPathOf(UnionPath p) throws IOException {
    Resolution.Visible parent = lookup.resolve(p.parent()).requireDirectory();
    for (Layer l : parent.layers()) {
      if (!l.inUpper() && format.lookup(io, l.path(), p.name()) instanceof WhiteoutFormat.Present) {
        return l.path().resolve(p.name());
      }
    }
    return null;
  }

  private boolean attributesDiffer(UpperEntry e, Stat below) throws IOException {
    Stat up = e.stat();
    if (up.permissions() != below.permissions() || up.uid() != below.uid() || up.gid() != below.gid()) {
      return true;
    }
    Path lowerPath = lowerPathOf(e.path());
    return lowerPath != null && !Xattrs.userVisible(io, format, e.real())
        .equals(Xattrs.userVisible(io, format, lowerPath));
  }

  private void noteLinks(UpperEntry e, Map<String, List<UnionPath>> inodes, Map<String, Long> counts)
      throws IOException {
    Stat st = e.stat();
    Path idx = index.indexOfUpper(e.real(), st);
    if (st.nlink() < 2) {
      return;
    }
    String key = st.dev() + ":" + st.ino();
    inodes.computeIfAbsent(key, k -> new ArrayList<>()).add(e.path());
    if (idx != null) {
      counts.put(key, index.links(idx, st));
    }
  }
}
