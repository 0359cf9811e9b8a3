namespace Vhpc.Libvirt;

/// <summary>libvirt's virErrorLevel.</summary>
public enum ErrorLevel
{
    None = 0,
    Warning = 1,
    Error = 2,
}
