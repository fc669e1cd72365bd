package org.unionfsjava.model;

import java.io.IOException;

/**
 * A mount asked for one whiteout format and the upper holds another ({@link
 * FormatDetector#choose}): formats are never mixed in one upper, so the mount is refused and the
 * upper left as it was. The message is one sentence naming both formats and what mounts it.
 */
public final class FormatMismatchException extends IOException {
  private static final long serialVersionUID = 1L;

  private final String upper;

  FormatMismatchException(String upper, String found, WhiteoutChoice requested) {
    super("the upper is in the " + found + " whiteout format, not " + requested.cliName()
        + " as requested (--whiteout-format " + found + " or auto mounts it)");
    this.upper = upper;
  }

  /** The upper, as the union names it. */
  public String upper() {
    return upper;
  }
}
