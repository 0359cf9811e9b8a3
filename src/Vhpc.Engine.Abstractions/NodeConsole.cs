namespace Vhpc.Engine;

/// <summary>The tail of a node's serial console log.</summary>
/// <param name="LogPath">Where the log is, in words: the volume and the pool on the libvirt host.</param>
/// <param name="Lines">The last lines, without terminal escapes; null when the log does not exist yet.</param>
public sealed record NodeConsole(string Cluster, string Node, string LogPath, IReadOnlyList<string>? Lines);
