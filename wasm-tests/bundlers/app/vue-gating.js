// The Vue UI-gating app: drf-gate/can/vue on the app's `drf-gate/can` Gate class (the bundle must
// hold the can .wasm only). The plugin loads the compiled policy with `Gate` (the anonymous
// section); the staff's and the owner's sections provide one shared Gate. Users are getters of
// one ref: switching it re-computes every section.
import { createApp, defineComponent, h, nextTick, shallowRef } from "vue";
import { Can, createGate, provideGate, useCan } from "drf-gate/can/vue";
import { COMPILED } from "./compiled.js";
import { BUTTONS, POST, USERS, counted } from "./ui.js";

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

/** Renders each section for `users` (`{ anonymous, staff, owner }`); returns the switch and the Subject count. */
export function mountVue(Gate, element, users) {
  const gate = new Gate(COMPILED);
  const subjects = counted(gate);
  const current = shallowRef(users);
  const Section = defineComponent({
    props: { name: { type: String, required: true } },
    setup(props) {
      if (props.name !== "anonymous") provideGate({ gate, user: () => current.value[props.name] });
      return () => h("section", { "data-user": props.name }, h(Buttons));
    },
  });
  const app = createApp({ render: () => Object.keys(USERS).map((name) => h(Section, { name })) });
  app.use(createGate({ policy: COMPILED, Gate, user: () => current.value.anonymous }));
  app.mount(element);
  const switchUsers = (next) => {
    current.value = next;
    return nextTick();
  };
  return { switchUsers, subjects };
}
