// bottleneck's build without Redis clustering (what octokit's throttling plugin loads) has the
// same API as the full build, whose types describe it.
declare module 'bottleneck/light.js' {
  import Bottleneck from 'bottleneck';
  export default Bottleneck;
}
