using Vhpc.Testing;

namespace Vhpc.Daemon.Tests.Support;

/// <summary>The directories and socket of one test daemon, all under one temporary directory.</summary>
internal sealed class DaemonLayout : IDisposable
{
    // Other users (the "nobody" client of the permission tests) must reach the socket in it.
    private readonly TempDirectory _root = new("vts-", (UnixFileMode)0b111_101_101);

    public DaemonLayout()
    {
        Directory.CreateDirectory(ClustersDirectory);
        Directory.CreateDirectory(StateDirectory);
    }

    public string Root => _root.Path;

    public string ClustersDirectory => _root.Combine("clusters.d");

    public string StateDirectory => _root.Combine("state");

    public string SocketPath => _root.Combine("run", "vhpcd.sock");

    /// <summary>
    /// As root "users" (gid 100, on every Debian; the daemon's default group "vhpc" is made by install.sh);
    /// as anyone else their own group, the only one they may give the socket to.
    /// </summary>
    public string SocketGroup { get; init; } = Environment.UserName == "root" ? "users" : ProcessRunner.RunChecked("id", "-g").Output.Trim();

    public string[] Arguments =>
    [
        "--clusters-dir", ClustersDirectory,
        "--state-dir", StateDirectory,
        "--socket", SocketPath,
        "--socket-group", SocketGroup,
        "--config", ConfigFile,
    ];

    public string ConfigFile => _root.Combine("vhpcd.json");

    public void WriteConfig(string json) => File.WriteAllText(ConfigFile, json);

    public string WriteCluster(string fileName, string content)
    {
        var path = Path.Combine(ClustersDirectory, fileName);
        File.WriteAllText(path, content);
        return path;
    }

    public void Dispose() => _root.Dispose();
}
