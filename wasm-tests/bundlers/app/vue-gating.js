// The Vue UI-gating app: drf-gate/can/vue on the app's `drf-gate/can` Gate class (the bundle must
// hold the can .wasm only). The plugin loads the compiled policy with `Gate` (the anonymous
// section); the staff's and the owner's sections provide one shared Gate.
import { createApp, defineComponent, h } from "vue";
import { Can, createGate, provideGate, useCan } from "drf-gate/can/vue";
import { COMPILED } from "./compiled.js";
import { BUTTONS, POST, USERS } from "./ui.js";

const Buttons = defineComponent({
  setup() {
    // One through the composable, the others through <Can>.
    const update = useCan("posts", "update", POST);
    return () =>
      BUTTONS.map((b) => {
        const button = () => h("button", { "data-action": b.name }, b.name);
        if (b.name === "update") return update.value ? button() : null;
        return h(Can, { view: b.view, action: b.action, object: b.object }, { default: button });
      });
  },
});

export function mountVue(Gate, element) {
  const gate = new Gate(COMPILED);
  const Section = defineComponent({
    props: { name: { type: String, required: true } },
    setup(props) {
      if (props.name !== "anonymous") provideGate({ gate, user: USERS[props.name] });
      return () => h("section", { "data-user": props.name }, h(Buttons));
    },
  });
  const app = createApp({ render: () => Object.keys(USERS).map((name) => h(Section, { name })) });
  app.use(createGate({ policy: COMPILED, Gate, user: USERS.anonymous }));
  app.mount(element);
}
