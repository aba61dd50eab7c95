// Next.js configuration. NEXT_DIST_DIR lets tests build into a separate folder.
/** @type {import('next').NextConfig} */
const nextConfig = {
  distDir: process.env.NEXT_DIST_DIR || '.next',
  poweredByHeader: false,
  serverExternalPackages: ['@electric-sql/pglite', 'postgres'],
};
export default nextConfig;
