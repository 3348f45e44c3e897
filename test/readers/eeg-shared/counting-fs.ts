/** A SourceFs wrapper that adds up the bytes every opened source handed out (ByteSource.bytesRead). */
import type { ByteSource, SourceFs } from '../../../lib/readers/source';

export function countingFs(inner: SourceFs): { fs: SourceFs; bytesRead: () => number } {
  const opened: ByteSource[] = [];
  const fs: SourceFs = {
    ...inner,
    open: async (path) => {
      const src = await inner.open(path);
      opened.push(src);
      return src;
    },
  };
  return { fs, bytesRead: () => opened.reduce((sum, s) => sum + s.bytesRead, 0) };
}
