namespace Vhpc.Engine;

/// <summary>How to apply.</summary>
/// <param name="Reconfigure">
/// Configure every node even where its recorded configuration still holds (`vhpc apply --reconfigure`):
/// the records cannot see what someone changed on a node by hand.
/// </param>
public sealed record ApplyOptions(bool Reconfigure = false)
{
    public static ApplyOptions Default { get; } = new();
}
