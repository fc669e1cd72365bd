package org.unionfsjava.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.unionfsjava.fs.FuseOptions;
import org.unionfsjava.fs.LowerMode;
import org.unionfsjava.fs.MountConfig;
import org.unionfsjava.model.WhiteoutChoice;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/** {@code unionfs-java mount}: parses the options into a {@link MountConfig} and mounts. */
@Command(
    name = "mount",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    sortOptions = false,
    description = {
        "Mounts a copy-on-write union of one writable upper directory over one or more read-only"
            + " lower directories at MOUNTPOINT. Changes go to the upper; the lowers are never"
            + " written.",
        "",
        "By default the command returns once the union is mounted and keeps serving it from a"
            + " background process that logs to --log-file. Unmount with 'unionfs-java umount"
            + " MOUNTPOINT'.",
        "",
        "One upper (and one work directory) serves one union at a time: a second mount of it is"
            + " refused (exit code 3). A dead union at MOUNTPOINT (its server ended, the mount"
            + " point answers 'Transport endpoint is not connected') is detached first, with a"
            + " line saying so.",
        ""
    },
    footerHeading = "%nExamples:%n",
    footer = {
        "  unionfs-java mount --upper /srv/upper --lower /srv/base /mnt/union",
        "  unionfs-java mount --upper /srv/u --lower /srv/site --lower /nfs/base \\",
        "      --lower-mode changing --cache-ttl 500ms -o allow_other /mnt/union",
        "  unionfs-java umount /mnt/union"
    })
public final class MountCommand implements Callable<Integer> {

  @ParentCommand
  private UnionfsCommand parent;

  @Spec
  private CommandSpec spec;

  @Option(names = "--upper", required = true, paramLabel = "DIR",
      description = "The writable branch: new and changed files go here.")
  private Path upper;

  @Option(names = "--lower", required = true, paramLabel = "DIR",
      description = "A read-only branch; repeat for more, topmost first (the first --lower hides"
          + " the same name in the ones after it).")
  private List<Path> lowers;

  @Option(names = "--whiteout-format", paramLabel = "FORMAT", defaultValue = "auto",
      converter = WhiteoutFormatConverter.class, completionCandidates = FormatNames.class,
      description = {
          "How deletions and opaque directories are recorded in the upper: auto (default; keep"
              + " the format an existing upper already uses, let the union choose for a new one),"
              + " overlay (kernel overlayfs: whiteouts are 0/0 character devices, needs root),"
              + " or aufs (.wh.NAME files, as in OCI image layers; works anywhere)."})
  private WhiteoutChoice whiteout;

  @Option(names = "--workdir", paramLabel = "DIR",
      description = "Where copy-up temporaries are made; must be on the upper's filesystem"
          + " (default: the directory .unionfs-java in the upper, hidden in the union).")
  private Path workDir;

  @Option(names = "--lower-mode", paramLabel = "MODE", defaultValue = "changing",
      converter = LowerModeConverter.class, completionCandidates = LowerModeNames.class,
      description = {
          "changing (default): the lowers may change while mounted (e.g. an NFS export with"
              + " another writer); facts read from a lower are trusted for --cache-ttl only and"
              + " file contents are revalidated on open.",
          "fixed: the lowers never change while mounted (e.g. a read-only image); long kernel"
              + " timeouts and a kept page cache, fastest, but a change made below anyway may stay"
              + " invisible until remount."})
  private LowerMode lowerMode;

  @Option(names = "--cache-ttl", paramLabel = "DURATION", defaultValue = "1s",
      converter = CacheTtlConverter.class,
      description = "How long facts read from a lower are trusted: 500ms, 1s, 2m or plain seconds"
          + " (default: ${DEFAULT-VALUE}; at most 24h: lowers that never change want --lower-mode"
          + " fixed).")
  private Duration cacheTtl;

  @Option(names = "-o", paramLabel = "OPTS", split = ",",
      description = {"FUSE mount options, comma-separated, repeatable; for example -o allow_other."
          + " Checked before mounting: what libfuse 3 does not take, what the union sets itself"
          + " (fsname, subtype) and remount (not supported yet: unmount and mount again) are"
          + " refused with exit code 2.",
          "-o auto_unmount: fusermount3 unmounts the union when its server dies (off by default:"
              + " programs writing by path would then write into the directory underneath)."})
  private List<String> fuseOptions = new ArrayList<>();

  @Option(names = "--foreground",
      description = "Serve in this process until unmounted (Ctrl-C unmounts) instead of returning"
          + " once mounted.")
  private boolean foreground;

  @Option(names = "--log-file", paramLabel = "FILE",
      description = "Log of the background server, appended to and rolled past 10 MB to"
          + " FILE.1, FILE.2, FILE.3 (default: NAME.log in /run/unionfs-java for root, else in"
          + " $XDG_RUNTIME_DIR/unionfs-java or ~/.local/state/unionfs-java; NAME is the mount"
          + " point with each / turned into -, for example mnt-union for /mnt/union; the"
          + " journal when started by systemd).")
  private Path logFile;

  @Option(names = "--fuse-debug",
      description = "Print libfuse's trace of every request (very verbose).")
  private boolean fuseDebug;

  @Mixin
  private LoggingMixin loggingMixin;

  @Parameters(index = "0", paramLabel = "MOUNTPOINT",
      description = "An existing empty directory where the union appears.")
  private Path mountPoint;

  @Override
  public Integer call() throws Exception {
    for (String option : fuseOptions) {
      if (option.isBlank()) {
        throw new ParameterException(spec.commandLine(),
            "-o has an empty option in '" + String.join(",", fuseOptions) + "'");
      }
    }
    Optional<String> badOption = FuseOptions.problem(fuseOptions,
        parent.host().tuning().fuseLibrary(), mountPoint);
    if (badOption.isPresent()) {
      throw new ParameterException(spec.commandLine(), badOption.get());
    }
    MountConfig options = new MountConfig(upper, lowers, mountPoint, workDir, whiteout,
        lowerMode, cacheTtl, fuseOptions, fuseDebug, parent.host().tuning());
    Mounter mounter = new Mounter(parent.host(), spec.commandLine().getOut(),
        spec.commandLine().getErr());
    return mounter.mount(options, new Mounter.Launch(foreground, logFile,
        loggingMixin.verbosity()));
  }

  /**
   * The arguments that make a background server mount exactly these options in the foreground;
   * paths should be absolute.
   */
  static List<String> foregroundArguments(MountConfig options, int verbosity) {
    List<String> arguments = new ArrayList<>(List.of("mount", "--foreground",
        "--upper", options.upper().toString()));
    for (Path lower : options.lowers()) {
      arguments.add("--lower");
      arguments.add(lower.toString());
    }
    if (options.workDir() != null) {
      arguments.add("--workdir");
      arguments.add(options.workDir().toString());
    }
    arguments.addAll(List.of(
        "--whiteout-format", options.whiteout().cliName(),
        "--lower-mode", options.lowerMode().name().toLowerCase(Locale.ROOT),
        "--cache-ttl", DurationConverter.format(options.cacheTtl())));
    if (!options.fuseOptions().isEmpty()) {
      arguments.add("-o");
      arguments.add(String.join(",", options.fuseOptions()));
    }
    if (options.fuseDebug()) {
      arguments.add("--fuse-debug");
    }
    if (verbosity > 0) {
      arguments.add("-" + "v".repeat(verbosity));
    }
    arguments.add("--");
    arguments.add(options.mountPoint().toString());
    return arguments;
  }

  /**
   * A duration ({@link DurationConverter}) of at most {@link MountConfig#MAX_CACHE_TTL}: beyond
   * a day "the lowers may change" no longer describes them (docs/usage.md, "Lower modes").
   */
  static final class CacheTtlConverter implements ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      Duration ttl = new DurationConverter().convert(value);
      if (ttl.compareTo(MountConfig.MAX_CACHE_TTL) > 0) {
        throw new TypeConversionException("'" + value + "' is longer than the longest cache TTL, "
            + DurationConverter.formatForPeople(MountConfig.MAX_CACHE_TTL)
            + " (for lowers that never change while mounted use --lower-mode fixed)");
      }
      return ttl;
    }
  }

  /** Accepts the whiteout choices by their lower-case names ({@link WhiteoutChoice#of}). */
  static final class WhiteoutFormatConverter implements ITypeConverter<WhiteoutChoice> {
    @Override
    public WhiteoutChoice convert(String value) {
      try {
        return WhiteoutChoice.of(value);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage());
      }
    }
  }

  /** What shell completion offers for --whiteout-format: the names the converter accepts. */
  static final class FormatNames extends ArrayList<String> {
    FormatNames() {
      super(WhiteoutChoice.names());
    }
  }

  /** What shell completion offers for --lower-mode: the lower-case names, not the enum's. */
  static final class LowerModeNames extends ArrayList<String> {
    LowerModeNames() {
      super(List.of("changing", "fixed"));
    }
  }

  /** Accepts the lower modes by their lower-case names. */
  static final class LowerModeConverter implements ITypeConverter<LowerMode> {
    @Override
    public LowerMode convert(String value) {
      for (LowerMode mode : LowerMode.values()) {
        if (mode.name().toLowerCase(Locale.ROOT).equals(value)) {
          return mode;
        }
      }
      throw new TypeConversionException("expected changing or fixed but was '" + value + "'");
    }
  }
}
