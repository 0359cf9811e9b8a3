namespace Vhpc.Spec.Addressing;

public enum NodeRole
{
    Management,
    Worker,
}
