package org.unionfsjava.model;

import java.nio.charset.StandardCharsets;

/**
 * The origin a copied-up object records: the branch index and inode number of the lower object
 * it was copied from, written as "BRANCH:INO". The union reports inode numbers from the origin, so
 * a file keeps its number across copy-up, rename and remount.
 */
public record Origin(int branch, long ino) {

  /** The recorded form of an origin. */
  public static byte[] format(int branch, long ino) {
    return (branch + ":" + Long.toUnsignedString(ino)).getBytes(StandardCharsets.US_ASCII);
  }

  /** Parses a recorded origin; null if the value is not one. */
  public static Origin parse(byte[] value) {
    if (value == null) {
      return null;
    }
    String s = new String(value, StandardCharsets.US_ASCII).trim();
    int colon = s.indexOf(':');
    if (colon <= 0) {
      return null;
    }
    try {
      return new Origin(Integer.parseInt(s.substring(0, colon)), Long.parseUnsignedLong(s.substring(colon + 1)));
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
