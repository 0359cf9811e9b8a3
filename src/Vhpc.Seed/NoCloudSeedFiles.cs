namespace Vhpc.Seed;

/// <summary>
/// The file side of <c>vhpc seed-iso</c> (what cloud-localds does): read the NoCloud inputs with
/// errors that name the option and the reason, and write the ISO so that a failure leaves no
/// partial output file behind.
/// </summary>
public static class NoCloudSeedFiles
{
    public const string UserDataOption = "--user-data";
    public const string MetaDataOption = "--meta-data";
    public const string NetworkConfigOption = "--network-config";
    public const string VendorDataOption = "--vendor-data";
    public const string OutputOption = "--output";

    /// <summary>The largest input file accepted: seeds are configuration, and the ISO holds 32-bit lengths.</summary>
    public const long MaxFileLength = 1L << 30;

    /// <summary>
    /// The timestamp for the image: <c>SOURCE_DATE_EPOCH</c> (seconds since 1970, the reproducible-builds
    /// convention) when set, else the current time, so the same inputs can give the same ISO bytes.
    /// </summary>
    /// <exception cref="SeedInputException">SOURCE_DATE_EPOCH is set but not a usable number of seconds.</exception>
    public static DateTimeOffset Timestamp(TimeProvider? timeProvider = null) => Timestamp(Environment.GetEnvironmentVariable, timeProvider);

    /// <summary><see cref="Timestamp(TimeProvider?)"/> with the environment passed in (tests do not change the process's).</summary>
    /// <exception cref="SeedInputException">SOURCE_DATE_EPOCH is set but not a usable number of seconds.</exception>
    public static DateTimeOffset Timestamp(Func<string, string?> environment, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var epoch = environment("SOURCE_DATE_EPOCH");
        if (string.IsNullOrEmpty(epoch))
        {
            return (timeProvider ?? TimeProvider.System).GetUtcNow();
        }

        if (!long.TryParse(epoch, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var seconds)
            || seconds > 5_000_000_000)
        {
            throw new SeedInputException("SOURCE_DATE_EPOCH", $"'{epoch}' is not a number of seconds since 1970 before 2128");
        }

        return DateTimeOffset.FromUnixTimeSeconds(seconds);
    }

    /// <exception cref="SeedInputException">An input is missing, a directory, unreadable or too large.</exception>
    public static NoCloudSeed Load(string userDataPath, string metaDataPath, string? networkConfigPath = null, string? vendorDataPath = null)
    {
        var userData = Read(UserDataOption, userDataPath);
        var metaData = Read(MetaDataOption, metaDataPath);
        var networkConfig = networkConfigPath is null ? null : Read(NetworkConfigOption, networkConfigPath);
        var vendorData = vendorDataPath is null ? null : Read(VendorDataOption, vendorDataPath);
        return new NoCloudSeed(userData, metaData, networkConfig, vendorData);
    }

    /// <summary>
    /// Writes <paramref name="seed"/> to <paramref name="outputPath"/> through a temporary file in the
    /// same directory, flushed to disk and then renamed over the target, so readers see either the
    /// old file or the complete new one, and a failure leaves nothing behind.
    /// </summary>
    /// <exception cref="SeedInputException">The output cannot be written (reason in the message).</exception>
    public static void WriteIso(NoCloudSeed seed, string outputPath, DateTimeOffset timestamp)
    {
        ArgumentNullException.ThrowIfNull(seed);
        if (string.IsNullOrWhiteSpace(outputPath))
        {
            throw new SeedInputException(OutputOption, "no output file given");
        }

        var fullPath = Path.GetFullPath(outputPath);
        if (Directory.Exists(fullPath))
        {
            throw new SeedInputException(OutputOption, $"'{outputPath}' is a directory");
        }

        var directory = Path.GetDirectoryName(fullPath) ?? "/";
        if (!Directory.Exists(directory))
        {
            throw new SeedInputException(OutputOption, $"directory '{directory}' does not exist");
        }

        var temporary = Path.Combine(directory, $".{Path.GetFileName(fullPath)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                seed.WriteTo(stream, timestamp);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, fullPath, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(temporary);
            throw new SeedInputException(OutputOption, $"cannot write '{outputPath}': {e.Message}", e);
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }
    }

    private static byte[] Read(string option, string path)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            throw new SeedInputException(option, "no file given");
        }

        if (Directory.Exists(path))
        {
            throw new SeedInputException(option, $"'{path}' is a directory, not a file");
        }

        if (!File.Exists(path))
        {
            throw new SeedInputException(option, $"file '{path}' does not exist");
        }

        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            // A FIFO or device reports no length; read it anyway but still enforce the limit.
            if (stream.CanSeek && stream.Length > MaxFileLength)
            {
                throw new SeedInputException(option,
                    $"'{path}' is too large ({stream.Length} bytes; at most {MaxFileLength} bytes)");
            }

            using var buffer = new MemoryStream();
            var chunk = new byte[1 << 16];
            int n;
            while ((n = stream.Read(chunk)) > 0)
            {
                if (buffer.Length + n > MaxFileLength)
                {
                    throw new SeedInputException(option, $"'{path}' is too large (more than {MaxFileLength} bytes)");
                }

                buffer.Write(chunk, 0, n);
            }

            return buffer.ToArray();
        }
        catch (UnauthorizedAccessException e)
        {
            throw new SeedInputException(option, $"'{path}' cannot be read: permission denied", e);
        }
        catch (FileNotFoundException e)
        {
            throw new SeedInputException(option, $"file '{path}' does not exist", e);
        }
        catch (DirectoryNotFoundException e)
        {
            throw new SeedInputException(option, $"file '{path}' does not exist", e);
        }
        catch (IOException e)
        {
            throw new SeedInputException(option, $"'{path}' cannot be read: {e.Message}", e);
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Best effort: the original error is the one worth reporting.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
