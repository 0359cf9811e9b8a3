using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Vhpc.Libvirt;
using Vhpc.Provisioning.Reconcile;
using Vhpc.Provisioning.Xml;
using Vhpc.Spec;
using Vhpc.Spec.Layout;
using Vhpc.Testing;
using Xunit.Abstractions;

namespace Vhpc.Engine.Tests.Reconcile;

/// <summary>
/// Issue 8, crash consistency: the engine runs in its own process (tests/Vhpc.CrashHarness), gets
/// SIGKILLed at random points of apply (and of destroy every fifth trial), then a second run must converge
/// to exactly the spec's objects: nothing leaked, duplicated, half-uploaded or referenced but missing.
/// Real libvirtd, tiny direct-kernel-boot guests under TCG; objects vtc-*, subnet 10.207.1.0/24.
/// </summary>
[Tier(TestTier.Guests)]
public sealed class CrashConsistencyTests(ITestOutputHelper output)
{
    private static string Uri => TestEnvironment.SharedLibvirtUri;
    private const string Cluster = "vtc-crash";
    private const string Prefix = "vtc-";
    private static string TinyImages => TestEnvironment.TinyImages;
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task Apply_and_destroy_killed_at_random_points_converge_without_leaks()
    {
        var trials = int.TryParse(Environment.GetEnvironmentVariable("VHPC_CRASH_TRIALS"), CultureInfo.InvariantCulture, out var t) ? t : 40;
        var seed = int.TryParse(Environment.GetEnvironmentVariable("VHPC_CRASH_SEED"), CultureInfo.InvariantCulture, out var s)
            ? s : Environment.TickCount & 0x7fffffff;
        output.WriteLine($"seed {seed} (rerun with VHPC_CRASH_SEED={seed}), trials {trials}");
        LibvirtdEngineTests.RequireLibvirtd();
        var harness = FindHarness();
        foreach (var file in new[] { "vmlinuz", "initrd.img" })
        {
            Assert.True(File.Exists(Path.Combine(TinyImages, file)),
                $"{TinyImages}/{file} is missing: build it with deploy/image/build-tiny.sh");
        }

        var directory = Directory.CreateTempSubdirectory("vtc-crash-").FullName;
        var random = new Random(seed);
        ClusterSpec spec;
        try
        {
            spec = await WriteSpecAsync(directory);
        }
        catch
        {
            Directory.Delete(directory, recursive: true);
            throw;
        }

        var specPath = Path.Combine(directory, "cluster.yaml");
        var layout = ClusterLayout.From(spec);
        using var services = new ServiceCollection().AddSingleton(typeof(Microsoft.Extensions.Logging.ILogger<>), typeof(NullLogger<>))
            .AddVhpcEngine().BuildServiceProvider();
        var engine = services.GetRequiredService<IClusterEngine>();
        var phases = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var total = Stopwatch.StartNew();
        try
        {
            AssertNothingWithPrefix(layout, "before the first trial (a previous run leaked; destroy vtc-* by hand)");

            // Uncrashed apply and destroy give the range the kill delays are spread over. The first pair
            // runs cold (page cache, libvirtd's own caches) and is much slower; the second one counts.
            var applyTime = TimeSpan.Zero;
            var destroyTime = TimeSpan.Zero;
            for (var round = 0; round < 2; round++)
            {
                applyTime = (await RunAsync(harness, "apply", specPath, null)).Elapsed;
                await AssertConvergedAsync(engine, spec, layout);
                destroyTime = (await RunAsync(harness, "destroy", specPath, null)).Elapsed;
                AssertDestroyed(layout);
                output.WriteLine($"uncrashed run {round}: apply {applyTime.TotalMilliseconds:F0} ms, destroy {destroyTime.TotalMilliseconds:F0} ms (process start to exit)");
            }

            // A kill counts only when it landed before the apply finished. A run that finished first
            // shows the reference was too long (it is one measured run, on a machine shared with other
            // tests): later delays are spread over that run's time instead, and the trial is repeated.
            var landed = 0;
            for (var trial = 0; landed < trials && trial < trials * 2; trial++)
            {
                var delay = KillDelay(random, landed, trials, applyTime);
                var crashed = await RunAsync(harness, "apply", specPath, delay);
                Count(phases, "apply", crashed);
                if (crashed.ExitCode is null)
                {
                    landed++;
                }
                else if (crashed.Elapsed < applyTime)
                {
                    applyTime = crashed.Elapsed;
                }

                var before = Census(layout);
                var converge = await RunAsync(harness, "apply", specPath, null);
                Assert.True(converge.ExitCode == 0, $"trial {trial}: apply after the kill failed:\n{converge.Output}");
                await AssertConvergedAsync(engine, spec, layout);
                output.WriteLine($"trial {trial,2}: apply killed at {delay.TotalMilliseconds,5:F0} ms during {crashed.Phase}; found {before}; converged in {converge.Elapsed.TotalMilliseconds:F0} ms");

                if (trial % 5 == 4 || landed == trials)
                {
                    var destroyDelay = TimeSpan.FromMilliseconds(random.NextDouble() * destroyTime.TotalMilliseconds * 1.1);
                    var killed = await RunAsync(harness, "destroy", specPath, destroyDelay);
                    Count(phases, "destroy", killed);
                    var left = Census(layout);
                    var again = await RunAsync(harness, "destroy", specPath, null);
                    Assert.True(again.ExitCode == 0, $"trial {trial}: destroy after the kill failed:\n{again.Output}");
                    AssertDestroyed(layout);
                    output.WriteLine($"trial {trial,2}: destroy killed at {destroyDelay.TotalMilliseconds,5:F0} ms during {killed.Phase}; found {left}; second destroy left nothing");
                }
                else
                {
                    // Start the next trial from nothing, so every kill lands somewhere in a full apply.
                    await engine.DestroyAsync(spec, new Progress<Progress.ProgressEvent>(), default);
                    AssertDestroyed(layout);
                }
            }

            output.WriteLine($"{landed} apply kills landed in {total.Elapsed.TotalSeconds:F0} s; kills per phase: " +
                string.Join(", ", phases.Select(p => $"{p.Key} {p.Value}")));
            Assert.True(landed >= trials * 3 / 4,
                $"only {landed} apply kills landed before the apply finished, in {trials * 2} attempts (seed {seed})");
        }
        finally
        {
            await engine.DestroyAsync(spec, new Progress<Progress.ProgressEvent>(), default);
            RemoveHostFiles(layout);
            Directory.Delete(directory, recursive: true);
        }

        AssertNothingWithPrefix(layout, "after cleanup");
    }

    /// <summary>Spread over the measured apply; the first two trials kill very early, the last two very late.</summary>
    private static TimeSpan KillDelay(Random random, int trial, int trials, TimeSpan apply)
    {
        var ms = apply.TotalMilliseconds;
        var value = trial switch
        {
            0 => 30 + (random.NextDouble() * 100),
            1 => 200 + (random.NextDouble() * 300),
            _ when trial == trials - 1 => ms * (0.97 + (random.NextDouble() * 0.05)),
            _ when trial == trials - 2 => ms * (0.90 + (random.NextDouble() * 0.07)),
            _ => random.NextDouble() * ms,
        };
        return TimeSpan.FromMilliseconds(value);
    }

    private static void Count(SortedDictionary<string, int> phases, string operation, HarnessRun run)
    {
        var key = $"{operation}:{run.Phase}";
        phases[key] = phases.GetValueOrDefault(key) + 1;
    }

    private static async Task<ClusterSpec> WriteSpecAsync(string directory)
    {
        // A few MiB of random bytes in a qcow2, so the stream upload takes long enough to be hit.
        var raw = Path.Combine(directory, "base.raw");
        await File.WriteAllBytesAsync(raw, RandomNumberGenerator.GetBytes(6 << 20));
        var image = Path.Combine(directory, "base.qcow2");
        Run("qemu-img", $"convert -q -f raw -O qcow2 {raw} {image}", "install qemu-utils (tests/env/up.sh does)");
        File.Delete(raw);
        var sha = Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(image)));
        var key = Path.Combine(directory, "id.pub");
        await File.WriteAllTextAsync(key, "ssh-ed25519 " + Convert.ToBase64String(RandomNumberGenerator.GetBytes(51)) + " vtc\n");
        var yaml = $"""
            name: {Cluster}
            domain: vtc.test
            connect: {Uri}
            image:
              source: {image}
              sha256: {sha}
              osFamily: Debian
              boot: {"{"} kernel: {TinyImages}/vmlinuz, initrd: {TinyImages}/initrd.img, cmdline: "console=ttyS0 quiet" {"}"}
            pool: {"{"} name: {Cluster}, path: /var/lib/libvirt/images/{Cluster} {"}"}
            network: {"{"} name: {Cluster}-net, cidr: 10.207.1.0/24 {"}"}
            user: {"{"} name: vhpc, sshPublicKeyFile: {key} {"}"}
            management: {"{"} count: 1, vcpu: 1, memoryMiB: 256, diskGiB: 1 {"}"}
            workers: {"{"} count: 2, vcpu: 1, memoryMiB: 256, diskGiB: 1 {"}"}
            vm: {"{"} accelerator: qemu, graphics: none {"}"}
            """;
        var path = Path.Combine(directory, "cluster.yaml");
        await File.WriteAllTextAsync(path, yaml);
        var loaded = ClusterSpecLoader.LoadFile(path);
        Assert.True(loaded.IsValid, string.Join("\n", loaded.Errors));
        return loaded.Spec!;
    }

    private sealed record HarnessRun(int? ExitCode, TimeSpan Elapsed, string Phase, string Output);

    /// <summary>
    /// Runs the harness; with a delay, SIGKILLs it then (unless it already finished). The phase is the
    /// last step the harness reported started before the kill.
    /// </summary>
    private static async Task<HarnessRun> RunAsync(string harness, string operation, string specPath, TimeSpan? killAfter)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(harness);
        info.ArgumentList.Add(operation);
        info.ArgumentList.Add(specPath);
        var lines = new StringBuilder();
        var phase = "startup";
        var gate = new Lock();
        var watch = Stopwatch.StartNew();
        using var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            lock (gate)
            {
                lines.AppendLine(e.Data);
                var parts = e.Data.Split(' ');
                if (parts is ["progress", var step, "Started", ..])
                {
                    phase = step;
                }
                else if (parts is ["done", ..])
                {
                    phase = "finished";
                }
            }
        };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (gate) { lines.AppendLine(e.Data); } } };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var timeout = new CancellationTokenSource(RunTimeout);
        if (killAfter is { } delay)
        {
            var exited = process.WaitForExitAsync(timeout.Token);
            if (await Task.WhenAny(exited, Task.Delay(delay, timeout.Token)) != exited)
            {
                string killedDuring;
                lock (gate)
                {
                    killedDuring = phase;
                }

                process.Kill(entireProcessTree: false); // SIGKILL on Linux: no finally blocks, no cleanup.
                await process.WaitForExitAsync(timeout.Token);
                lock (gate)
                {
                    return new HarnessRun(null, watch.Elapsed, killedDuring, lines.ToString());
                }
            }
        }

        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            throw new TimeoutException($"harness {operation} did not finish within {RunTimeout}:\n{lines}");
        }

        lock (gate)
        {
            var finished = process.ExitCode == 0 ? "finished" : phase;
            var result = new HarnessRun(process.ExitCode, watch.Elapsed, finished, lines.ToString());
            Assert.True(killAfter is not null || process.ExitCode == 0, $"harness {operation} exited {process.ExitCode}:\n{lines}");
            return result;
        }
    }

    /// <summary>Object counts with the vtc- prefix, as the crash left them.</summary>
    private static string Census(ClusterLayout layout)
    {
        using var connection = Connection.Open(Uri);
        var domains = Names(connection.ListDomains(), d => d.Name, d => d.IsActive);
        var networks = Names(connection.ListNetworks(), n => n.Name, n => n.IsActive);
        var pools = connection.ListStoragePools();
        var volumes = 0;
        var marker = false;
        var poolCount = 0;
        foreach (var pool in pools)
        {
            using (pool)
            {
                if (!pool.Name.StartsWith(Prefix, StringComparison.Ordinal))
                {
                    continue;
                }

                poolCount++;
                if (pool.IsActive)
                {
                    ClusterStateReader.RefreshPool(pool);
                    var list = pool.ListVolumes();
                    volumes += list.Count;
                    foreach (var v in list)
                    {
                        using (v)
                        {
                            marker |= v.Name == layout.BaseVolumeMarkerName;
                        }
                    }
                }
            }
        }

        return $"{domains.Count} domains ({domains.Count(d => d.Active)} running), {networks.Count} networks, {poolCount} pools, {volumes} volumes, base marker {(marker ? "yes" : "no")}";
    }

    private static List<(string Name, bool Active)> Names<T>(IReadOnlyList<T> items, Func<T, string> name, Func<T, bool> active)
        where T : IDisposable
    {
        var result = new List<(string, bool)>();
        foreach (var item in items)
        {
            using (item)
            {
                if (name(item).StartsWith(Prefix, StringComparison.Ordinal))
                {
                    result.Add((name(item), active(item)));
                }
            }
        }

        return result;
    }

    private static async Task AssertConvergedAsync(IClusterEngine engine, ClusterSpec spec, ClusterLayout layout)
    {
        using var connection = Connection.Open(Uri);
        var domains = Names(connection.ListDomains(), d => d.Name, d => d.IsActive);
        Assert.Equal(layout.Nodes.Select(n => n.Name).Order(StringComparer.Ordinal), domains.Select(d => d.Name).Order(StringComparer.Ordinal));
        Assert.All(domains, d => Assert.True(d.Active, $"domain {d.Name} is not running"));

        var networks = Names(connection.ListNetworks(), n => n.Name, n => n.IsActive);
        Assert.Equal([(layout.NetworkName, true)], networks);
        using (var network = connection.LookupNetwork(layout.NetworkName)!)
        {
            var hosts = NetworkXml.Parse(network.GetXml()).Hosts;
            Assert.Equal(layout.Nodes.Select(n => n.Mac.ToUpperInvariant()).Order(StringComparer.Ordinal),
                hosts.Select(h => h.Mac.ToUpperInvariant()).Order(StringComparer.Ordinal));
        }

        var pools = Names(connection.ListStoragePools(), p => p.Name, p => p.IsActive);
        Assert.Equal([(layout.PoolName, true)], pools);
        using var pool = connection.LookupStoragePool(layout.PoolName)!;
        ClusterStateReader.RefreshPool(pool);
        var volumes = pool.ListVolumes();
        var paths = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            foreach (var volume in volumes)
            {
                Assert.True(paths.TryAdd(volume.Name, volume.Path), $"volume {volume.Name} listed twice");
            }

            var expected = layout.Nodes.SelectMany(n => new[] { n.OverlayVolume, n.SeedVolume, n.ConsoleLog.Volume })
                .Append(layout.BaseVolumeName).Append(layout.BaseVolumeMarkerName).Order(StringComparer.Ordinal);
            Assert.Equal(expected, paths.Keys.Order(StringComparer.Ordinal));

            // No stray file in the pool directory that libvirt does not know as a volume.
            Assert.Equal(paths.Values.Order(StringComparer.Ordinal), Directory.GetFiles(layout.PoolPath).Order(StringComparer.Ordinal));

            var imageLength = new FileInfo(spec.Image.Source).Length;
            var baseVolume = volumes.Single(v => v.Name == layout.BaseVolumeName);
            // Capacity is not compared: after a refresh the dir pool probes the bytes and reports the qcow2's virtual size.
            Assert.Equal(imageLength, new FileInfo(baseVolume.Path).Length);
            Assert.Equal(spec.Image.Sha256, Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(baseVolume.Path))));

            foreach (var node in layout.Nodes)
            {
                var overlay = volumes.Single(v => v.Name == node.OverlayVolume);
                Assert.Equal(baseVolume.Path, VolumeXml.ParseBackingPath(overlay.GetXml()));
                var seed = volumes.Single(v => v.Name == node.SeedVolume);
                AssertCompleteIso(seed.Path, (long)seed.GetInfo().Capacity);
                using var domain = connection.LookupDomain(node.Name)!;
                var disks = DomainXml.ParseDiskPaths(domain.GetXml());
                Assert.Equal(new[] { overlay.Path, seed.Path }.Order(StringComparer.Ordinal), disks.Order(StringComparer.Ordinal));
            }
        }
        finally
        {
            foreach (var volume in volumes)
            {
                volume.Dispose();
            }
        }

        var plan = await engine.PlanAsync(spec, default);
        Assert.True(plan.IsEmpty, "plan after convergence is not empty: " + string.Join("; ", plan.Actions));
    }

    /// <summary>A whole NoCloud ISO: descriptors, the cidata label, and file data up to the last sector.</summary>
    private static void AssertCompleteIso(string path, long capacity)
    {
        var bytes = File.ReadAllBytes(path);
        Assert.True(capacity > 0 && bytes.Length == capacity && capacity % 2048 == 0, $"seed {path}: {bytes.Length} bytes, capacity {capacity}");
        Assert.Equal("CD001", Encoding.ASCII.GetString(bytes, (16 * 2048) + 1, 5));
        Assert.Equal("cidata", Encoding.ASCII.GetString(bytes, (16 * 2048) + 40, 32).TrimEnd(' ').ToLowerInvariant());
        var volumeSectors = BitConverter.ToInt32(bytes, (16 * 2048) + 80);
        Assert.Equal(bytes.Length / 2048, volumeSectors);
        // An interrupted upload leaves the tail zero; the last file's data starts the last sector.
        Assert.True(bytes.AsSpan(bytes.Length - 2048).ContainsAnyExcept((byte)0), $"seed {path}: last sector is all zero (half-uploaded)");
    }

    private static void AssertDestroyed(ClusterLayout layout)
    {
        AssertNothingWithPrefix(layout, "after destroy");
        Assert.False(Directory.Exists(layout.PoolPath), $"pool directory {layout.PoolPath} left behind");
    }

    private static void AssertNothingWithPrefix(ClusterLayout layout, string when)
    {
        using var connection = Connection.Open(Uri);
        Assert.True(Names(connection.ListDomains(), d => d.Name, _ => true).Count == 0, $"{Prefix} domains {when}");
        Assert.True(Names(connection.ListNetworks(), n => n.Name, _ => true).Count == 0, $"{Prefix} networks {when}");
        Assert.True(Names(connection.ListStoragePools(), p => p.Name, _ => true).Count == 0, $"{Prefix} pools {when}");
        _ = layout;
    }

    private static void RemoveHostFiles(ClusterLayout layout)
    {
        foreach (var log in Directory.EnumerateFiles("/var/log/libvirt/qemu", Cluster + "-*.log"))
        {
            File.Delete(log);
        }

        if (Directory.Exists(layout.PoolPath) && Directory.GetFileSystemEntries(layout.PoolPath).Length == 0)
        {
            Directory.Delete(layout.PoolPath);
        }
    }

    private static string FindHarness()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Vhpc.Daemon.sln")))
        {
            directory = directory.Parent;
        }

        Assert.NotNull(directory);
        // Same configuration as this test assembly (bin/<Configuration>/net10.0/).
        var configuration = Path.GetFileName(Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)))!;
        var dll = Path.Combine(directory.FullName, "tests", "Vhpc.CrashHarness", "bin", configuration, "net10.0", "Vhpc.CrashHarness.dll");
        Assert.True(File.Exists(dll), $"{dll} is missing: dotnet build tests/Vhpc.Engine.Tests (it builds the harness)");
        return dll;
    }

    private static void Run(string file, string arguments, string hint)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardError = true })!;
            process.WaitForExit();
            Assert.True(process.ExitCode == 0, $"{file} {arguments} failed: {process.StandardError.ReadToEnd()}");
        }
        catch (System.ComponentModel.Win32Exception)
        {
            Assert.Fail($"{file} is missing: {hint}");
        }
    }
}
