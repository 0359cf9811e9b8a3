namespace Vhpc.Daemon.Operations;

/// <summary>The operations that change a cluster and therefore take its lock.</summary>
internal enum OperationKind
{
    Apply,
    Destroy,
}
