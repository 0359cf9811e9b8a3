namespace Vhpc.Daemon.Operations;

/// <summary>The operations that change a cluster and therefore take its lock.</summary>
public enum OperationKind
{
    Apply,
    Destroy,
}
