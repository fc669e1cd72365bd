package org.unionfsjava.model;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Lookup across branches, one path component at a time (see package-info for the rules).
 *
 * <p>{@link #step} is the unit a cache stores: the resolution of one name inside an already
 * resolved directory. {@link #resolve} walks from the root without any cache.
 */
public final class Lookup implements Resolver {
  private final BranchStack stack;
  private final BranchIo io;
  private final WhiteoutFormat format;
  private final String workDirName;

  /**
   * A lookup over these branches.
   *
   * @param workDirName the name of the work directory at the upper's root, hidden from the union,
   *     or null if the work directory lies outside the upper
   */
  public Lookup(BranchStack stack, BranchIo io, WhiteoutFormat format, String workDirName) {
    this.stack = stack;
    this.io = io;
    this.format = format;
    this.workDirName = workDirName;
  }

  public BranchStack stack() {
    return stack;
  }

  public WhiteoutFormat format() {
    return format;
  }

  /** True if this name in this directory belongs to the union itself and is never visible. */
  public boolean isInternal(UnionPath dir, String name) {
    return format.isInternalName(name) || (dir.isRoot() && name.equals(workDirName));
  }

  /** The root directory: the roots of all branches merged, down to an opaque root. */
  public Resolution.Visible root() throws IOException {
    Stat st = io.lstat(stack.upper().root());
    if (st == null || !st.isDirectory()) {
      throw new UnionException(Errno.ENOENT, stack.upper().root().toString(), "the upper branch is gone");
    }
    List<Layer> layers = new ArrayList<>();
    layers.add(new Layer(stack.upper(), stack.upper().root()));
    boolean opaque = format.isOpaque(io, stack.upper().root());
    if (!opaque) {
      for (Branch b : stack.lowers()) {
        layers.add(new Layer(b, b.root()));
        if (format.isOpaque(io, b.root())) {
          break;
        }
      }
    }
    return new Resolution.Visible(UnionPath.ROOT, layers, st, opaque, !opaque);
  }

  @Override
  public Resolution resolve(UnionPath path) throws IOException {
    Resolution r = root();
    for (String name : path.components()) {
      if (!(r instanceof Resolution.Visible)) {
        return missingBelow(r, path);
      }
      r = step((Resolution.Visible) r, name);
    }
    return r;
  }

  /** The answer for a path below a name that did not resolve to a visible object. */
  public static Resolution missingBelow(Resolution r, UnionPath path) {
    Errno errno = r instanceof Resolution.Missing ? ((Resolution.Missing) r).errno() : Errno.ENOENT;
    return new Resolution.Missing(path, null, errno, r.dependsOnLowers());
  }

  /** Resolves one name inside a visible directory. */
  public Resolution step(Resolution.Visible parent, String name) throws IOException {
    UnionPath path = parent.path().child(name);
    if (!parent.isDirectory()) {
      return new Resolution.Missing(path, null, Errno.ENOTDIR, parent.dependsOnLowers());
    }
    if (isInternal(parent.path(), name)) {
      return new Resolution.Missing(path, null, Errno.ENOENT, false);
    }
    List<Layer> found = new ArrayList<>(2);
    Stat top = null;
    boolean opaque = false;
    boolean consultedLower = false;
    List<Layer> layers = parent.layers();
    for (int i = 0; i < layers.size(); i++) {
      Layer layer = layers.get(i);
      consultedLower |= !layer.inUpper();
      WhiteoutFormat.Entry e = format.lookup(io, layer.path(), name);
      if (e instanceof WhiteoutFormat.Whiteout) {
        if (found.isEmpty()) {
          boolean depends = !layer.inUpper() && (consultedLower || parent.dependsOnLowers());
          return new Resolution.WhitedOut(path, parent, depends);
        }
        break;
      }
      if (e instanceof WhiteoutFormat.Absent) {
        continue;
      }
      WhiteoutFormat.Present p = (WhiteoutFormat.Present) e;
      Path real = layer.path().resolve(name);
      if (found.isEmpty()) {
        top = p.stat();
        found.add(new Layer(layer.branch(), real));
        if (top.kind() == FileKind.REGULAR && layer.inUpper() && i < layers.size() - 1
            && format.isMetacopy(io, real)) {
          String redirect = format.redirect(io, real); // kernel overlayfs renames metacopies so
          Layer data = redirect != null && redirect.startsWith("/") ? lowerFileAt(redirect)
              : dataLayerBelow(layers, i + 1, redirect != null ? redirect : name);
          if (data != null) {
            found.add(data);
          }
          consultedLower = true;
          break;
        }
        String redirect = layer.inUpper() && top.isDirectory() ? format.redirect(io, real) : null;
        if (redirect == null && (!top.isDirectory() || p.hidesBelow())) {
          opaque = p.hidesBelow();
          break;
        }
        if (redirect != null) {
          // a renamed directory: its lower content lives at the redirect, not under this name
          if (format.isOpaque(io, real)) {
            opaque = true;
          } else {
            // absolute: from the lowers' roots; relative (kernel, same parent): a name beside it
            found.addAll(redirect.startsWith("/") ? lowerLayersAt(redirect) : dirLayersBelow(layers, i + 1, redirect));
            consultedLower = true;
          }
          break;
        }
        if (i == layers.size() - 1 && !(layer.inUpper() && parent.dependsOnLowers())) {
          break; // nothing below to hide, and the answer's lifetime would not change either
        }
        if (format.isOpaque(io, real)) {
          opaque = true;
          break;
        }
      } else {
        if (!p.stat().isDirectory()) {
          break;
        }
        found.add(new Layer(layer.branch(), real));
        if (p.hidesBelow() || (i < layers.size() - 1 && format.isOpaque(io, real))) {
          break;
        }
      }
    }
    if (found.isEmpty()) {
      return new Resolution.Missing(path, parent, Errno.ENOENT, consultedLower || parent.dependsOnLowers());
    }
    boolean decidedByUpper = found.get(0).inUpper() && ((!top.isDirectory() && found.size() == 1) || opaque);
    boolean depends = !decidedByUpper && (consultedLower || parent.dependsOnLowers());
    return new Resolution.Visible(path, found, top, opaque, depends);
  }

  /** The lower directory layers of a name in the parent's layers from index {@code from} on. */
  private List<Layer> dirLayersBelow(List<Layer> layers, int from, String name) throws IOException {
    List<Layer> out = new ArrayList<>();
    for (int j = from; j < layers.size(); j++) {
      Layer l = layers.get(j);
      WhiteoutFormat.Entry e = format.lookup(io, l.path(), name);
      if (e instanceof WhiteoutFormat.Whiteout) {
        break;
      }
      if (e instanceof WhiteoutFormat.Present) {
        WhiteoutFormat.Present p = (WhiteoutFormat.Present) e;
        if (!p.stat().isDirectory()) {
          break;
        }
        Path real = l.path().resolve(name);
        out.add(new Layer(l.branch(), real));
        if (p.hidesBelow() || (j < layers.size() - 1 && format.isOpaque(io, real))) {
          break;
        }
      }
    }
    return out;
  }

  /** Where a metadata-only copy's data lives: the first lower regular file of that name below. */
  private Layer dataLayerBelow(List<Layer> layers, int from, String name) throws IOException {
    for (int j = from; j < layers.size(); j++) {
      Layer l = layers.get(j);
      WhiteoutFormat.Entry e = format.lookup(io, l.path(), name);
      if (e instanceof WhiteoutFormat.Whiteout) {
        return null;
      }
      if (e instanceof WhiteoutFormat.Present) {
        return ((WhiteoutFormat.Present) e).stat().kind() == FileKind.REGULAR
            ? new Layer(l.branch(), l.path().resolve(name)) : null;
      }
    }
    return null;
  }

  /**
   * The lower layers of the directory at an absolute union path, looked up in the lowers only
   * (whiteouts and opaque directories in the lowers apply); empty if the lowers have no directory
   * there any more.
   */
  List<Layer> lowerLayersAt(String absolutePath) throws IOException {
    Resolution r = resolveInLowers(absolutePath);
    if (r instanceof Resolution.Visible && ((Resolution.Visible) r).isDirectory()) {
      return ((Resolution.Visible) r).layers();
    }
    return List.of();
  }

  /** The lower regular file at an absolute union path (a metacopy's redirected data), or null. */
  private Layer lowerFileAt(String absolutePath) throws IOException {
    Resolution r = resolveInLowers(absolutePath);
    if (r instanceof Resolution.Visible && ((Resolution.Visible) r).kind() == FileKind.REGULAR) {
      return ((Resolution.Visible) r).top();
    }
    return null;
  }

  /** Resolves an absolute union path in the lowers only (whiteouts and opaque directories there apply). */
  private Resolution resolveInLowers(String absolutePath) throws IOException {
    List<Layer> roots = new ArrayList<>();
    for (Branch b : stack.lowers()) {
      roots.add(new Layer(b, b.root()));
      if (format.isOpaque(io, b.root())) {
        break;
      }
    }
    Stat rootStat = io.lstat(stack.lowers().get(0).root());
    Resolution r = new Resolution.Visible(UnionPath.ROOT, roots, rootStat, false, true);
    UnionPath target = UnionPath.of(absolutePath);
    for (String name : target.components()) {
      if (!(r instanceof Resolution.Visible) || !((Resolution.Visible) r).isDirectory()) {
        return new Resolution.Missing(target, null, Errno.ENOENT, true);
      }
      r = step((Resolution.Visible) r, name);
    }
    return r;
  }

  /** The absolute union path a lower layer stands for ("/a/b"), from its branch root. */
  public static String lowerPathOf(Layer layer) {
    return "/" + layer.branch().root().relativize(layer.path()).toString();
  }

  /**
   * True if a lower below the upper still has this name in the parent directory (so deleting or
   * renaming the upper object must leave a whiteout).
   */
  public boolean lowerHasName(Resolution.Visible parent, String name) throws IOException {
    for (Layer layer : parent.layers()) {
      if (layer.inUpper()) {
        continue;
      }
      WhiteoutFormat.Entry e = format.lookup(io, layer.path(), name);
      if (e instanceof WhiteoutFormat.Present) {
        return true;
      }
      if (e instanceof WhiteoutFormat.Whiteout) {
        return false;
      }
    }
    return false;
  }
}
