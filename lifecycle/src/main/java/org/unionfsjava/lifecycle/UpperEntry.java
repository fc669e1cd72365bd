package org.unionfsjava.lifecycle;

import java.nio.file.Path;
import org.unionfsjava.model.FileKind;
import org.unionfsjava.model.Stat;
import org.unionfsjava.model.UnionPath;

/**
 * One name of an upper, read in the upper's format but described without it: an object (with the
 * union's marks on it) or a whiteout. This is the change model the tools share: diff classifies
 * these entries, convert writes them in another format, export writes them as an OCI layer, and
 * squash and snapshot will merge and move them.
 *
 * @param path the union path
 * @param real the object's path in the upper (a whiteout: the marker's path)
 * @param stat the object's lstat (a whiteout: the marker's)
 * @param whiteout true for a whiteout: the name is hidden in the lowers
 * @param opaque a directory whose lower namesakes do not merge with it
 * @param redirect a renamed directory's lower path (absolute, or relative to its parent), or null
 * @param metacopy a regular file whose data is still the lower's
 * @param pairedWhiteout aufs: an object and its own {@code .wh.NAME} both stand here (a crash
 *     between two steps of a replace); the object is visible and hides the lowers
 */
public record UpperEntry(UnionPath path, Path real, Stat stat, boolean whiteout, boolean opaque,
    String redirect, boolean metacopy, boolean pairedWhiteout) {

  /** The object's kind (a whiteout: the kind of its marker). */
  public FileKind kind() {
    return stat.kind();
  }

  /** True for an object that is a directory. */
  public boolean isDirectory() {
    return !whiteout && stat.isDirectory();
  }

  /** True if nothing of the lowers below this directory merges with it. */
  public boolean hidesLowers() {
    return opaque || pairedWhiteout;
  }

  /** The absolute union path a redirect names (a relative one lies beside this directory). */
  public String redirectTarget() {
    if (redirect == null) {
      return null;
    }
    if (redirect.startsWith("/")) {
      return redirect;
    }
    UnionPath parent = path.parent();
    return parent.isRoot() ? "/" + redirect : parent + "/" + redirect;
  }
}
