using System.CommandLine;
using System.Globalization;
using Vhpc.Seed;

namespace Vhpc.Cli.Commands;

/// <summary>
/// Writes a NoCloud seed ISO (label cidata) from local files, like cloud-localds, in-process. The
/// timestamp is SOURCE_DATE_EPOCH when set, so the same inputs give the same bytes.
/// </summary>
internal static class SeedIsoCommand
{
    public static Command Create()
    {
        var userData = new Option<string>(NoCloudSeedFiles.UserDataOption) { Description = "user-data file", Required = true, HelpName = "FILE" };
        var metaData = new Option<string>(NoCloudSeedFiles.MetaDataOption) { Description = "meta-data file", Required = true, HelpName = "FILE" };
        var networkConfig = new Option<string?>(NoCloudSeedFiles.NetworkConfigOption) { Description = "network-config file (v1/v2)", HelpName = "FILE" };
        var vendorData = new Option<string?>(NoCloudSeedFiles.VendorDataOption) { Description = "vendor-data file", HelpName = "FILE" };
        var output = new Option<string>(NoCloudSeedFiles.OutputOption, "-o") { Description = "ISO file to write", Required = true, HelpName = "FILE" };
        var command = new Command("seed-iso", "Write a NoCloud cloud-init seed ISO (works without vhpcd)")
        {
            userData, metaData, networkConfig, vendorData, output,
        };
        command.SetAction(async (parse, ct) =>
        {
            try
            {
                var seed = NoCloudSeedFiles.Load(parse.GetValue(userData)!, parse.GetValue(metaData)!, parse.GetValue(networkConfig), parse.GetValue(vendorData));
                var path = parse.GetValue(output)!;
                NoCloudSeedFiles.WriteIso(seed, path, Timestamp());
                await parse.InvocationConfiguration.Output.WriteLineAsync(
                    string.Create(CultureInfo.InvariantCulture, $"{path}: {seed.Length} bytes, label {NoCloudSeed.VolumeLabel}")).ConfigureAwait(false);
                return ExitCodes.Ok;
            }
            catch (SeedInputException ex)
            {
                await parse.InvocationConfiguration.Error.WriteLineAsync($"vhpc: {ex.Message}").ConfigureAwait(false);
                return ExitCodes.Usage;
            }
        });
        return command;
    }

    private static DateTimeOffset Timestamp() =>
        long.TryParse(Environment.GetEnvironmentVariable("SOURCE_DATE_EPOCH"), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : DateTimeOffset.UtcNow;
}
