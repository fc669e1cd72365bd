package org.unionfsjava.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The whiteout format a mount asks for ({@code --whiteout-format}): one of the formats, or
 * {@link #AUTO} to keep the one an existing upper uses and let the union choose for a new one
 * ({@link FormatDetector#choose}). The command line and the detector know the same names, these
 * ({@link #names}); any other, {@code oci} included, is refused by both.
 */
public enum WhiteoutChoice {
  /** The upper's own format, or for a new upper overlay where possible, else aufs. */
  AUTO,
  /** Kernel overlayfs: whiteouts are 0/0 character devices ({@link OverlayFormat}). */
  OVERLAY,
  /** {@code .wh.NAME} files, as in OCI image layers ({@link AufsFormat}). */
  AUFS;

  /** The name the command line and the format record use: {@code auto}, {@code overlay}, {@code aufs}. */
  public String cliName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Every name {@link #of} accepts, in order. */
  public static List<String> names() {
    List<String> names = new ArrayList<>();
    for (WhiteoutChoice c : values()) {
      names.add(c.cliName());
    }
    return List.copyOf(names);
  }

  /**
   * The choice of this name (lower case, as {@link #cliName}).
   *
   * @throws IllegalArgumentException for any other name, with a message naming the known ones
   */
  public static WhiteoutChoice of(String name) {
    for (WhiteoutChoice c : values()) {
      if (c.cliName().equals(name)) {
        return c;
      }
    }
    throw new IllegalArgumentException("expected " + String.join(", ", names().subList(0, 2))
        + " or " + names().get(2) + " but was '" + name + "'");
  }
}
