package org.unionfsjava.model;

import java.util.List;

/**
 * What a union path resolves to: a {@link Visible} object, a name hidden by a {@link WhitedOut
 * whiteout}, or a {@link Missing} name. Whited-out and missing both answer ENOENT to a lookup, but
 * a create over a whiteout must replace it (and a directory created there becomes opaque).
 */
public sealed interface Resolution permits Resolution.Visible, Resolution.WhitedOut, Resolution.Missing {

  /** The union path resolved. */
  UnionPath path();

  /**
   * True if a change made directly in a lower could change this answer, so it may be trusted only
   * for the cache TTL; false if the upper alone decided it (an upper non-directory, an opaque
   * upper directory, a whiteout in the upper, or anything below an opaque directory).
   */
  boolean dependsOnLowers();

  /** This as a visible object, or ENOENT (ENOTDIR if a parent is not a directory). */
  Visible requireVisible() throws UnionException;

  /** This as a visible directory, or ENOENT/ENOTDIR. */
  default Visible requireDirectory() throws UnionException {
    Visible v = requireVisible();
    if (!v.isDirectory()) {
      throw new UnionException(Errno.ENOTDIR, path().toString(), "not a directory");
    }
    return v;
  }

  /** Throws EEXIST if the name is visible; for a name that cannot be created (no parent) ENOENT/ENOTDIR. */
  default void requireAbsent() throws UnionException {
    if (this instanceof Visible) {
      throw new UnionException(Errno.EEXIST, path().toString(), "file exists");
    }
    Missing m = this instanceof Missing ? (Missing) this : null;
    if (m != null && m.parent() == null) {
      throw new UnionException(m.errno(), path().toString(), "parent does not exist or is not a directory");
    }
  }

  /**
   * A visible object.
   *
   * @param layers the contributing layers, top first; one for a non-directory, one or more for a
   *     directory (down to the first opaque directory, whiteout or non-directory)
   * @param stat the attributes of the top layer's object when resolved
   * @param opaque true if the top layer is a directory marked opaque
   * @param dependsOnLowers see {@link Resolution#dependsOnLowers()}
   */
  record Visible(UnionPath path, List<Layer> layers, Stat stat, boolean opaque, boolean dependsOnLowers)
      implements Resolution {
    public Visible {
      layers = List.copyOf(layers);
    }

    /** The layer that decides the object's type and attributes. */
    public Layer top() {
      return layers.get(0);
    }

    /** True if the top layer is in the upper (the object was created or copied up there). */
    public boolean inUpper() {
      return layers.get(0).inUpper();
    }

    public boolean isDirectory() {
      return stat.isDirectory();
    }

    public FileKind kind() {
      return stat.kind();
    }

    /** Where a regular file's data is: the second layer of a metadata-only copy, else the top. */
    public Layer dataLayer() {
      return !stat.isDirectory() && layers.size() > 1 ? layers.get(1) : layers.get(0);
    }

    /** True for an upper metadata-only copy whose data is still in a lower. */
    public boolean isMetacopy() {
      return !stat.isDirectory() && layers.size() > 1;
    }

    /** True if some lower still contributes to this object (a lower directory merged below). */
    public boolean hasLowerLayers() {
      for (Layer l : layers) {
        if (!l.inUpper()) {
          return true;
        }
      }
      return false;
    }

    @Override
    public Visible requireVisible() {
      return this;
    }
  }

  /** A name hidden by a whiteout (in the upper or in a lower above the object). */
  record WhitedOut(UnionPath path, Visible parent, boolean dependsOnLowers) implements Resolution {
    @Override
    public Visible requireVisible() throws UnionException {
      throw new UnionException(Errno.ENOENT, path.toString(), "no such file or directory");
    }
  }

  /**
   * A name nobody has. {@code parent} is the visible parent directory, or null when the parent
   * itself is missing or not a directory; {@code errno} says which (ENOENT or ENOTDIR).
   */
  record Missing(UnionPath path, Visible parent, Errno errno, boolean dependsOnLowers) implements Resolution {
    @Override
    public Visible requireVisible() throws UnionException {
      throw new UnionException(errno, path.toString(),
          errno == Errno.ENOTDIR ? "a path component is not a directory" : "no such file or directory");
    }
  }

  /** The visible parent directory a create of this name goes into; ENOENT/ENOTDIR if there is none. */
  default Visible requireParent() throws UnionException {
    if (this instanceof WhitedOut) {
      return ((WhitedOut) this).parent();
    }
    if (this instanceof Missing) {
      Missing m = (Missing) this;
      if (m.parent() == null) {
        throw new UnionException(m.errno(), path().toString(), "parent does not exist or is not a directory");
      }
      return m.parent();
    }
    throw new IllegalStateException("a visible object has a parent only through a lookup of it");
  }
}
