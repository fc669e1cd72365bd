package org.unionfsjava.lifecycle;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.unionfsjava.model.BranchIo;
import org.unionfsjava.model.DirEntry;
import org.unionfsjava.model.Errno;
import org.unionfsjava.model.FileKind;
import org.unionfsjava.model.Stat;
import org.unionfsjava.model.UnionException;
import org.unionfsjava.model.UnionPath;
import org.unionfsjava.model.WhiteoutFormat;

/**
 * Walks an upper depth first, each directory's names in byte order, and hands every name to a
 * {@link Visitor} as an {@link UpperEntry}: objects with their marks (opaque, redirect,
 * metacopy), whiteouts as whiteouts, and the format's own markers and the work directory
 * separately. Reads only; one listing and one lstat per name, plus the xattr or marker look-ups
 * the format needs. A name that vanishes while the walk runs (a live mount) is skipped.
 */
public final class UpperWalk {

  /** What the walk hands over. */
  public interface Visitor {
    /** One name of the upper; for a directory, return true to walk into it. */
    boolean visit(UpperEntry entry) throws IOException;

    /** After the names inside a directory the walk went into. */
    default void leave(UpperEntry dir) throws IOException {}

    /**
     * A name that belongs to the format or the union, not to the user (aufs markers other than
     * whiteouts, the work directory at the root); {@code dir} is where it stands.
     */
    default void internal(UnionPath dir, Path real, DirEntry entry) throws IOException {}
  }

  private static final Comparator<UpperEntry> BY_NAME = Comparator.comparing(e -> e.path().name());

  private final UpperLayout layout;
  private final BranchIo io;
  private final WhiteoutFormat format;
  private final Progress progress;

  public UpperWalk(UpperLayout layout, Progress progress) {
    this.layout = layout;
    this.io = layout.io();
    this.format = layout.format();
    this.progress = progress;
  }

  /** Walks the whole upper, its root first (as the entry of path "/"). */
  public void walk(Visitor visitor) throws IOException {
    Stat st = io.lstat(layout.upper());
    UpperEntry root = new UpperEntry(UnionPath.ROOT, layout.upper(), st, false,
        format.isOpaque(io, layout.upper()), null, false, false);
    if (visitor.visit(root)) {
      walkDir(root, visitor);
    }
    visitor.leave(root);
  }

  /** Walks the names inside one upper directory (already visited). */
  public void walkDir(UpperEntry dir, Visitor visitor) throws IOException {
    for (UpperEntry e : entries(dir.path(), dir.real(), visitor)) {
      progress.step();
      if (visitor.visit(e) && e.isDirectory()) {
        walkDir(e, visitor);
        visitor.leave(e);
      }
    }
  }

  /** The names of one upper directory as entries, in name order; markers go to the visitor. */
  List<UpperEntry> entries(UnionPath dirPath, Path dirReal, Visitor visitor) throws IOException {
    List<DirEntry> listed;
    try {
      listed = io.list(dirReal);
    } catch (UnionException e) {
      if (e.errno() == Errno.ENOENT || e.errno() == Errno.ENOTDIR) {
        return List.of(); // removed while we walk (a live mount)
      }
      throw e;
    }
    Map<String, DirEntry> objects = new HashMap<>();
    Map<String, DirEntry> markers = new HashMap<>();
    for (DirEntry e : listed) {
      String w = format.whitedOutName(io, dirReal, e);
      if (w != null) {
        markers.put(w, e);
      } else if (format.isInternalName(e.name())
          || (dirPath.isRoot() && e.name().equals(layout.hiddenName()))) {
        visitor.internal(dirPath, dirReal.resolve(e.name()), e);
      } else {
        objects.put(e.name(), e);
      }
    }
    List<UpperEntry> out = new ArrayList<>(objects.size() + markers.size());
    for (DirEntry e : objects.values()) {
      UpperEntry entry = object(dirPath, dirReal, e.name(), markers.containsKey(e.name())
          && !e.name().equals(markers.get(e.name()).name()));
      if (entry != null) {
        out.add(entry);
      }
    }
    for (Map.Entry<String, DirEntry> m : markers.entrySet()) {
      String name = m.getKey();
      DirEntry marker = m.getValue();
      if (objects.containsKey(name) && !name.equals(marker.name())) {
        continue; // an aufs pair: the object above stands for it
      }
      Path real = dirReal.resolve(marker.name());
      Stat st = io.lstat(real);
      if (st != null) {
        out.add(new UpperEntry(dirPath.child(name), real, st, true, false, null, false, false));
      }
    }
    out.sort(BY_NAME);
    return out;
  }

  private UpperEntry object(UnionPath dirPath, Path dirReal, String name, boolean paired)
      throws IOException {
    Path real = dirReal.resolve(name);
    Stat st = io.lstat(real);
    if (st == null) {
      return null;
    }
    UnionPath path = dirPath.child(name);
    boolean opaque = false;
    String redirect = null;
    boolean metacopy = false;
    if (st.isDirectory()) {
      opaque = format.isOpaque(io, real);
      redirect = format.redirect(io, real);
    } else if (st.kind() == FileKind.REGULAR) {
      metacopy = format.isMetacopy(io, real);
      redirect = metacopy ? format.redirect(io, real) : null;
    }
    return new UpperEntry(path, real, st, false, opaque, redirect, metacopy, paired);
  }
}
