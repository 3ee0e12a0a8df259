using System.Runtime.InteropServices;

namespace MlOps.Sdk;

/// <summary>A counter alone on its cache line, so that threads writing it do not slow down readers of its neighbours.</summary>
/// <remarks>Linked as source with <c>BoundedRing</c>; not part of any public surface.</remarks>
[StructLayout(LayoutKind.Explicit, Size = 128)]
internal struct PaddedLong
{
    [FieldOffset(64)]
    public long Value;
}
