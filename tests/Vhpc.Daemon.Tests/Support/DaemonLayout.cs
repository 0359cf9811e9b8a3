namespace Vhpc.Daemon.Tests.Support;

/// <summary>The directories and socket of one test daemon, all under one temporary directory.</summary>
internal sealed class DaemonLayout : IDisposable
{
    private readonly TempDirectory _root = new();

    public DaemonLayout()
    {
        Directory.CreateDirectory(ClustersDirectory);
        Directory.CreateDirectory(StateDirectory);
    }

    public string Root => _root.Path;

    public string ClustersDirectory => _root.Combine("clusters.d");

    public string StateDirectory => _root.Combine("state");

    public string SocketPath => _root.Combine("run", "vhpcd.sock");

    /// <summary>"users" (gid 100) exists on Debian; the daemon's default group "vhpc" is made by install.sh.</summary>
    public string SocketGroup { get; init; } = "users";

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
