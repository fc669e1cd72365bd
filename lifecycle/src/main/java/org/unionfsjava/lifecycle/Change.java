package org.unionfsjava.lifecycle;

import java.util.List;
import org.unionfsjava.model.FileKind;
import org.unionfsjava.model.UnionPath;

/**
 * One change an upper makes to its lowers, as {@code diff} reports it.
 *
 * @param type what changed
 * @param path the union path
 * @param kind the kind of object now there (for a deletion: the kind the lowers have)
 * @param from for {@link Type#RENAMED}: the union path the directory's lower content comes from
 * @param links for {@link Type#HARD_LINK}: every union path of the inode known to the upper
 *     (the names linked to it in the upper, the index copy's lower names are not listed), and
 *     the link count the union reports
 */
public record Change(Type type, UnionPath path, FileKind kind, String from, List<UnionPath> links,
    long linkCount) {

  /** The kinds of change. */
  public enum Type {
    /** A name the lowers do not show. */
    ADDED("added"),
    /** A file the upper holds its own data for (copied up: its bytes may still be equal). */
    MODIFIED("modified"),
    /** Only attributes changed: a metadata-only copy, or a directory's mode, owner or xattrs. */
    METADATA("metadata"),
    /** The lowers show another kind of object under this name. */
    REPLACED("replaced"),
    /** A whiteout: the lowers' object is hidden. */
    DELETED("deleted"),
    /** A directory that hides the lowers' directory of its name (their names are all gone). */
    OPAQUE("opaque"),
    /** A renamed directory: its lower content comes from {@code from}. */
    RENAMED("renamed"),
    /** Names that share one inode (hard links), as the upper or its index keeps them. */
    HARD_LINK("hardlink");

    private final String word;

    Type(String word) {
      this.word = word;
    }

    /** The word listings and JSON use. */
    public String word() {
      return word;
    }
  }

  /** A change of one name. */
  public static Change of(Type type, UnionPath path, FileKind kind) {
    return new Change(type, path, kind, null, List.of(), 0);
  }

  public Change {
    links = List.copyOf(links);
  }
}
